"""The loudspeaker feed through PortAudio, to an ALSA device that writes what it plays to a file.

ALSA's ``file`` plugin over the ``null`` PCM is a playback device whose
output lands in a file: the same PortAudio path a hall's sound card takes.
PortAudio reads the ALSA configuration once per process, so the sink runs
in a child process with ``ALSA_CONFIG_PATH`` pointing at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.media.remote_hall import ROOT, tone

PLAY = """
import sys
import time
import numpy as np
from recorder.errors import CaptureError
from recorder.media import FRAME_SAMPLES, PortAudioSink
try:
    PortAudioSink("no such loudspeaker")
except CaptureError as exc:
    print("refused:", exc)
pcm = np.load(sys.argv[1])
sink = PortAudioSink("hemicycle_loudspeaker")
for i in range(0, len(pcm), FRAME_SAMPLES):
    sink.write(pcm[i : i + FRAME_SAMPLES].tobytes())
    time.sleep(0.02)  # one frame per tick of the hall clock
sink.close()
sink.close()
print("dropped:", sink.dropped)
"""


def test_the_loudspeaker_sink_plays_every_frame_through_portaudio(tmp_path: Path) -> None:
    out = tmp_path / "played.s16le"
    (tmp_path / "asoundrc").write_text(
        "pcm.hemicycle_loudspeaker {\n    type file\n    slave.pcm \"null\"\n"
        f"    file \"{out}\"\n    format \"raw\"\n}}\n"
    )
    system = Path(os.environ.get("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf"))
    if not system.exists():
        pytest.skip("no ALSA configuration on this machine")
    (tmp_path / "alsa.conf").write_text(f"<{system}>\n<{tmp_path / 'asoundrc'}>\n")
    pcm = tone(1000, 1.0, 0.5)
    np.save(tmp_path / "pcm.npy", pcm)
    run = subprocess.run([sys.executable, "-c", PLAY, str(tmp_path / "pcm.npy")], cwd=ROOT, capture_output=True,
                         text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "ALSA_CONFIG_PATH": str(tmp_path / "alsa.conf")})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "refused: can't open output device 'no such loudspeaker'" in run.stdout
    assert "dropped: 0" in run.stdout
    played = np.frombuffer(out.read_bytes(), dtype="<i2")
    start = int(np.flatnonzero(played)[0]) - 1  # the tone starts at sample 0 with a zero
    assert np.array_equal(played[start : start + len(pcm)], pcm)
