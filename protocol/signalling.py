"""WebRTC signalling: how a remote member's browser and the media endpoint agree on a call.

Signals travel over the hall server's socket, never media::

    remote member --"signal" MemberSignal--> hall server --"signal" FromMember--> media endpoint
    remote member <--"signal" EndpointSignal-- hall server <--"signal" ToMember-- media endpoint

The member offers (SDP with its ICE candidates, or trickled ``candidate``
messages after it), the endpoint answers; either side may hang up. The hall
server stamps each member signal with the sending device and its member (a
member never names themself), and the endpoint addresses its answers to a
device. The media endpoint announces itself with :class:`EndpointReady` (again
after every reconnect) so that the server knows where to relay. The hall
display calls the same way, with no member: it only watches the speaking
remote member's video.

How the call goes is reported too, for the presiding officer::

    remote member --"call_quality" CallReport--> hall server --"remote_links" RemoteLinks--> chairs

The hall server keeps each remote device's last report, marks it
disconnected when its socket goes, and sends the whole table to every chair
on each change (and to a chair as it connects).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, TypeAdapter

from protocol.types import Id, Model

__all__ = [
    "MAX_SDP_CHARS",
    "Answer",
    "CallReport",
    "EndpointReady",
    "EndpointSignal",
    "FromMember",
    "HangUp",
    "IceCandidate",
    "MediaMessage",
    "MemberSignal",
    "Offer",
    "RemoteLink",
    "RemoteLinks",
    "ToMember",
    "endpoint_signal",
    "media_message",
    "member_signal",
]

MAX_SDP_CHARS = 32_000  # an audio+video offer with a dozen candidates is ~6,000

Sdp = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SDP_CHARS)]


class Offer(Model):
    """A member's session description offer (RFC 8866 SDP text, as ``RTCSessionDescription.sdp``)."""

    type: Literal["offer"] = "offer"
    sdp: Sdp


class Answer(Model):
    """The media endpoint's answer to a member's offer."""

    type: Literal["answer"] = "answer"
    sdp: Sdp


class IceCandidate(Model):
    """One trickled ICE candidate (``candidate:...`` line, as ``RTCIceCandidate.candidate``)."""

    type: Literal["candidate"] = "candidate"
    candidate: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    sdp_mid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdp_mline_index: Annotated[int, Field(ge=0, le=64)] | None = None


class HangUp(Model):
    """End the call; the other side closes its peer connection."""

    type: Literal["hangup"] = "hangup"


MemberSignal = Annotated[Offer | IceCandidate | HangUp, Field(discriminator="type")]
"""What a remote member's device sends (event ``signal`` on ``/remote``)."""

EndpointSignal = Annotated[Answer | IceCandidate | HangUp, Field(discriminator="type")]
"""What a remote member's device receives (event ``signal`` on ``/remote``)."""


class FromMember(Model):
    """A member's signal as the hall server relays it to the media endpoint.

    ``member_id`` is None for the hall display, which only receives the speaking
    remote member's video.
    """

    type: Literal["from_member"] = "from_member"
    device_id: Id
    member_id: Id | None
    signal: MemberSignal


class EndpointReady(Model):
    """The media endpoint announces itself: relay members' signals to this connection."""

    type: Literal["endpoint.ready"] = "endpoint.ready"


class ToMember(Model):
    """The media endpoint's signal for one remote device."""

    type: Literal["to_member"] = "to_member"
    device_id: Id
    signal: EndpointSignal


MediaMessage = Annotated[EndpointReady | ToMember, Field(discriminator="type")]
"""What the media endpoint sends (event ``signal`` on ``/recorder``)."""

CallState = Literal["new", "connecting", "connected", "disconnected", "failed", "closed"]
"""``RTCPeerConnection.connectionState`` of the member's media call."""


class CallReport(Model):
    """A remote member's page reports its call every few seconds (from ``RTCPeerConnection.getStats``).

    ``rtt_ms``: the selected ICE pair's current round trip; ``loss_pct``: the
    share of the floor mix's audio packets lost since the last report (0-100);
    ``jitter_ms``: that audio's interarrival jitter. None until measured.
    """

    state: CallState
    rtt_ms: Annotated[float, Field(ge=0, le=60_000)] | None = None
    loss_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    jitter_ms: Annotated[float, Field(ge=0, le=60_000)] | None = None


class RemoteLink(Model):
    """One remote device as the chair sees it: its socket (``connected``) and its last call report.

    ``at_ms``: server time of the last change (Unix milliseconds). A member whose
    link drops keeps their place on the speakers' list; their device reconnects
    with its key, without pairing again.
    """

    device_id: Id
    member_id: Id
    connected: bool
    call: CallReport | None = None
    at_ms: int


class RemoteLinks(Model):
    """Every remote device the hall server has seen since it started (event ``remote_links`` on ``/chair``)."""

    links: list[RemoteLink]


member_signal: TypeAdapter[Offer | IceCandidate | HangUp] = TypeAdapter(MemberSignal)
endpoint_signal: TypeAdapter[Answer | IceCandidate | HangUp] = TypeAdapter(EndpointSignal)
media_message: TypeAdapter[EndpointReady | ToMember] = TypeAdapter(MediaMessage)
