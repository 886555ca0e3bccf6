"""Audio files as a source: anything FFmpeg (PyAV) decodes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from recorder.capture._source import SAMPLE_BYTES, AudioSource
from recorder.errors import AudioFileError

__all__ = ["FileSource", "probe_audio"]


def _layout_name(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")


def probe_audio(path: Path) -> tuple[int, int, float | None]:
    """(sample rate, channels, duration in seconds or None) of an audio file."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioFileError(path, "no audio stream")
            stream = container.streams.audio[0]
            duration = None
            if container.duration is not None:
                duration = container.duration / 1_000_000
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            return stream.codec_context.sample_rate, stream.codec_context.channels, duration
    except FileNotFoundError:
        raise AudioFileError(path, "no such file") from None
    except av.FFmpegError as exc:
        raise AudioFileError(path, str(exc)) from exc


class FileSource(AudioSource):
    """Frames from any file PyAV (FFmpeg) decodes, optionally converted.

    ``sample_rate``/``channels`` default to the file's own; others are
    converted by libswresample. ``realtime`` paces frames at the speed of
    speech, to stand in for a live feed; otherwise frames come as fast as the
    consumer takes them. ``start_wall`` is the wall time given to the first
    sample (default: when the capture starts).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        sample_rate: int | None = None,
        channels: int | None = None,
        frame_ms: float = 20.0,
        queue_frames: int = 500,
        start_wall: float | None = None,
        realtime: bool = False,
    ) -> None:
        self.path = Path(path)
        native_rate, native_channels, self.file_duration = probe_audio(self.path)
        super().__init__(
            sample_rate or native_rate,
            channels or native_channels,
            frame_ms=frame_ms,
            queue_frames=queue_frames,
            start_wall=start_wall,
        )
        self.realtime = realtime
        self._chunks: Iterator[bytes] | None = None
        self._pending = b""
        self._t0 = 0.0
        self._delivered = 0

    def _open(self) -> None:
        self._chunks = self._decode()
        self._t0 = time.monotonic()

    def _decode(self) -> Iterator[bytes]:
        import av

        try:
            with av.open(str(self.path)) as container:
                resampler = av.AudioResampler(
                    format="s16", layout=_layout_name(self.channels), rate=self.sample_rate
                )
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        yield bytes(out.planes[0])[: out.samples * SAMPLE_BYTES * self.channels]
                for out in resampler.resample(None):
                    yield bytes(out.planes[0])[: out.samples * SAMPLE_BYTES * self.channels]
        except av.FFmpegError as exc:
            raise AudioFileError(self.path, str(exc)) from exc

    def _read(self) -> bytes | None:
        assert self._chunks is not None
        want = self.frame_samples * SAMPLE_BYTES * self.channels
        while len(self._pending) < want:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._pending += chunk
        if not self._pending:
            return None
        pcm, self._pending = self._pending[:want], self._pending[want:]
        if self.realtime:
            due = self._t0 + self._delivered / self.sample_rate
            delay = due - time.monotonic()
            if delay > 0:
                self._stopping.wait(delay)
        self._delivered += len(pcm) // (SAMPLE_BYTES * self.channels)
        return pcm

    def _close(self) -> None:
        if self._chunks is not None:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
            self._chunks = None


