"""Audio sources: timestamped PCM frames from PortAudio devices and from files.

Every source runs its reads on its own thread and hands frames over through a
bounded queue. When the consumer is slow the capture thread blocks on that
queue (back-pressure) instead of dropping; only the device itself can then
lose audio (a PortAudio input overflow), and each such loss is counted.

Timestamps follow the source's sample clock, anchored once to the wall clock
(``time.time()``) and re-anchored after any loss, so consecutive frames abut
exactly and a gap in time always means a gap in audio.

Replays use the very same PortAudio code path: :func:`make_replay_device`
writes an ALSA configuration whose capture PCM plays a file (the ALSA ``file``
plugin's ``infile`` over a ``null`` slave); a process started with
:meth:`ReplayDevice.env` sees it as an ordinary input device.
"""

from __future__ import annotations

from recorder.capture._file import FileSource, probe_audio
from recorder.capture._portaudio import (
    InputDevice,
    PyAudioSource,
    list_devices,
    quiet_audio_libraries,
)
from recorder.capture._replay import ReplayDevice, make_replay_device
from recorder.capture._source import AudioFrame, AudioSource, CaptureStats

__all__ = [
    "AudioFrame",
    "AudioSource",
    "CaptureStats",
    "FileSource",
    "InputDevice",
    "PyAudioSource",
    "ReplayDevice",
    "list_devices",
    "make_replay_device",
    "probe_audio",
    "quiet_audio_libraries",
]
