"""PortAudio capture (pyaudio): the hall feed, and replays through ALSA."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from recorder.capture._source import AudioSource
from recorder.errors import CaptureError, DeviceNotFound

__all__ = ["InputDevice", "PyAudioSource", "list_devices", "quiet_audio_libraries"]

log = logging.getLogger("hemicycle.recorder.capture")


@dataclass(frozen=True, slots=True)
class InputDevice:
    """A PortAudio device that can capture, as listed by ``record --list-devices``."""

    index: int
    name: str
    channels: int
    default_sample_rate: float
    host_api: str



_quiet_callbacks: list[Any] = []  # C callbacks must outlive the libraries' use of them


def quiet_audio_libraries() -> None:
    """Silence ALSA's and JACK's stderr chatter while PortAudio probes devices.

    PortAudio tries every configured PCM and a JACK server; on a hall server
    most do not exist, and each failure prints lines that bury real problems.
    Failures still reach us as PortAudio errors. Process-wide and idempotent.
    """
    if _quiet_callbacks:
        return
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if name:
        alsa_handler = ctypes.CFUNCTYPE(
            None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
        )(lambda *_: None)
        ctypes.CDLL(name).snd_lib_error_set_handler(alsa_handler)
        _quiet_callbacks.append(alsa_handler)
    name = ctypes.util.find_library("jack")
    if name:
        jack = ctypes.CDLL(name)
        jack_handler = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda _: None)
        jack.jack_set_error_function(jack_handler)
        jack.jack_set_info_function(jack_handler)
        _quiet_callbacks.append(jack_handler)


def _pyaudio() -> Any:
    import pyaudio  # imported late: most of the recorder never touches PortAudio

    quiet_audio_libraries()
    return pyaudio


def _input_devices(pa: Any) -> list[InputDevice]:
    devices = []
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        if int(info["maxInputChannels"]) <= 0:
            continue
        api = pa.get_host_api_info_by_index(info["hostApi"])["name"]
        devices.append(
            InputDevice(
                index=index,
                name=str(info["name"]),
                channels=int(info["maxInputChannels"]),
                default_sample_rate=float(info["defaultSampleRate"]),
                host_api=str(api),
            )
        )
    return devices


def list_devices() -> list[InputDevice]:
    """Every PortAudio device with at least one input channel."""
    pa = _pyaudio().PyAudio()
    try:
        return _input_devices(pa)
    finally:
        pa.terminate()


def _resolve_device(devices: list[InputDevice], device: str | int | None) -> InputDevice | None:
    """The device an operator meant: an index, an exact name, else a name part."""
    if device is None:
        return None
    if isinstance(device, int):
        found = [d for d in devices if d.index == device]
    else:
        found = [d for d in devices if d.name == device] or [
            d for d in devices if device.lower() in d.name.lower()
        ]
    if not found:
        raise DeviceNotFound(device, [d.name for d in devices])
    if len(found) > 1:
        log.warning("device %r matches %s; using %r", device, [d.name for d in found], found[0].name)
    return found[0]


class PyAudioSource(AudioSource):
    """The hall feed from a PortAudio input device (blocking reads).

    ``device`` is an index, a name or a part of one, or None for the default.
    ``duration`` (seconds) ends the capture, for replays of a file whose ALSA
    device goes on producing silence after the file's end. ``start_wall``
    pins the clock origin, so a replay can carry the original sitting's times.
    ``realtime`` paces reads to the sample clock: a sound card does that by
    itself, but an ALSA replay device (``file`` over ``null``) returns every
    read at once; paced, it delivers each frame when a card would (as its last
    sample is "captured"), so a replay stands in for a live hall feed.
    """

    def __init__(
        self,
        device: str | int | None = None,
        *,
        sample_rate: int = 48000,
        channels: int = 1,
        frame_ms: float = 20.0,
        queue_frames: int = 500,
        start_wall: float | None = None,
        duration: float | None = None,
        realtime: bool = False,
    ) -> None:
        super().__init__(
            sample_rate,
            channels,
            frame_ms=frame_ms,
            queue_frames=queue_frames,
            start_wall=start_wall,
        )
        self.device = device
        self.device_info: InputDevice | None = None
        self._limit = None if duration is None else round(duration * sample_rate)
        self._read_samples = 0
        self.realtime = realtime
        self._t0: float | None = None  # monotonic time of the first read (realtime pacing)
        self._pa: Any = None
        self._stream: Any = None

    def _open(self) -> None:
        pyaudio = _pyaudio()
        self._pa = pyaudio.PyAudio()
        try:
            self.device_info = _resolve_device(_input_devices(self._pa), self.device)
            self._stream = self._pa.open(
                format=pyaudio.paInt16,
                channels=self.channels,
                rate=self.sample_rate,
                input=True,
                input_device_index=None if self.device_info is None else self.device_info.index,
                frames_per_buffer=self.frame_samples,
            )
        except DeviceNotFound:
            self._pa.terminate()
            raise
        except (OSError, ValueError) as exc:
            self._pa.terminate()
            raise CaptureError(f"can't open input device {self.device!r}: {exc}") from exc

    def _read(self) -> bytes | None:
        n = self.frame_samples
        if self._limit is not None:
            n = min(n, self._limit - self._read_samples)
            if n <= 0:
                return None
        if self.realtime:
            self._pace()
        try:
            pcm: bytes = self._stream.read(n, exception_on_overflow=True)
        except OSError as exc:
            if exc.errno == _pyaudio().paInputOverflowed:
                log.warning("input overflow on %r: audio lost", self.device)
                return b""
            raise
        self._read_samples += n
        return pcm

    def _pace(self) -> None:
        """Wait until the next frame would be complete on a card started at the first read."""
        if self._t0 is None:
            self._t0 = time.monotonic()
            return
        delay = self._t0 + self._read_samples / self.sample_rate - time.monotonic()
        if delay > 0:
            self._stopping.wait(delay)

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.stop_stream()
            self._stream.close()
            self._stream = None
        if self._pa is not None:
            self._pa.terminate()
            self._pa = None


