"""The WebRTC media endpoint: remote members heard on the floor while they hold it.

See :mod:`recorder.media._endpoint` for the picture. Errors are the
recorder's (:mod:`recorder.errors`).
"""

from recorder.media._endpoint import IceServer, MediaEndpoint, MediaStats
from recorder.media._feed import FloorFeed
from recorder.media._mixer import FRAME_SAMPLES, RATE, FloorMixer, InboundStats, Mix
from recorder.media._peer import CallQuality, MemberPeer, MixTrack
from recorder.media._sinks import FloorSink, PortAudioSink, WavSink
from recorder.media._video import TurnVideo

__all__ = [
    "FRAME_SAMPLES",
    "RATE",
    "CallQuality",
    "FloorFeed",
    "FloorMixer",
    "FloorSink",
    "IceServer",
    "InboundStats",
    "MediaEndpoint",
    "MediaStats",
    "MemberPeer",
    "Mix",
    "MixTrack",
    "PortAudioSink",
    "TurnVideo",
    "WavSink",
]
