"""The media endpoint's public surface is deliberate: pin it."""

from __future__ import annotations

import recorder.media
import recorder.media.cli
from protocol import signalling


def test_public_surface() -> None:
    assert sorted(recorder.media.__all__) == [
        "CallQuality", "FRAME_SAMPLES", "FloorFeed", "FloorMixer", "FloorSink", "IceServer", "InboundStats",
        "MediaEndpoint", "MediaStats", "MemberPeer", "Mix", "MixTrack", "PortAudioSink", "RATE", "TurnVideo", "WavSink",
    ]
    assert sorted(recorder.media.cli.__all__) == ["add_media_parser", "cmd_media"]
    assert sorted(signalling.__all__) == [
        "Answer", "CallReport", "EndpointReady", "EndpointSignal", "FromMember", "HangUp", "IceCandidate",
        "MAX_SDP_CHARS", "MediaMessage", "MemberSignal", "Offer", "RemoteLink", "RemoteLinks", "ToMember",
        "endpoint_signal", "media_message", "member_signal",
    ]
    for module in (recorder.media, recorder.media.cli, signalling):
        assert all(hasattr(module, name) for name in module.__all__)
