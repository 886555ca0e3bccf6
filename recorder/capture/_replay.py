"""Replays through the real PortAudio path: an ALSA capture PCM that plays a file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from recorder.capture._file import FileSource

__all__ = ["ReplayDevice", "make_replay_device"]

_SYSTEM_ALSA_CONF: Final = Path("/usr/share/alsa/alsa.conf")


@dataclass(frozen=True, slots=True)
class ReplayDevice:
    """An ALSA capture PCM that plays ``raw_path``; visible to processes given :meth:`env`."""

    name: str
    config_path: Path
    raw_path: Path
    sample_rate: int
    channels: int
    duration: float

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment (``base`` or ``os.environ`` plus ALSA settings) exposing the device."""
        env = dict(os.environ if base is None else base)
        env["ALSA_CONFIG_PATH"] = str(self.config_path)
        env["JACK_NO_START_SERVER"] = "1"
        return env


def _alsa_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_replay_device(
    audio_path: str | Path,
    directory: str | Path,
    *,
    sample_rate: int = 48000,
    channels: int = 1,
    name: str = "hemicycle_replay",
) -> ReplayDevice:
    """Decode ``audio_path`` to raw PCM and define an ALSA capture device reading it.

    The ALSA ``file`` plugin, given an ``infile``, replaces what its slave
    captures with the file's bytes; the ``null`` slave supplies the timing
    (none: reads return at once) and silence after the file ends. The raw
    file must already have the rate, channels and format the client asks
    for, as the plugin converts nothing. The generated ``alsa.conf`` loads
    the system configuration first, then defines ``pcm.<name>``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    raw_path = directory / f"{name}.s16le"
    source = FileSource(audio_path, sample_rate=sample_rate, channels=channels, queue_frames=50)
    samples = 0
    with raw_path.open("wb") as raw, source:
        for frame in source.frames():
            raw.write(frame.pcm)
            samples += frame.samples
    asoundrc = directory / "asoundrc"
    asoundrc.write_text(
        f"pcm.{name} {{\n"
        "    type file\n"
        '    slave.pcm "null"\n'
        '    file "/dev/null"\n'
        f"    infile {_alsa_string(str(raw_path.resolve()))}\n"
        '    format "raw"\n'
        "}\n"
    )
    system_conf = Path(os.environ.get("ALSA_CONFIG_PATH", str(_SYSTEM_ALSA_CONF)))
    config_path = directory / "alsa.conf"
    if system_conf.resolve() == config_path.resolve():  # remade in a process already using it
        system_conf = _SYSTEM_ALSA_CONF
    config_path.write_text(f"<{system_conf}>\n<{asoundrc.resolve()}>\n")
    return ReplayDevice(
        name=name,
        config_path=config_path,
        raw_path=raw_path,
        sample_rate=sample_rate,
        channels=channels,
        duration=samples / sample_rate,
    )
