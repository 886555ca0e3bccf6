"""What the control plane needs from the media plane, as types it is handed at start.

The hall server never imports the recorder: the composition root
(``hemicycle.cli``) passes the recorder's functions in through ``ServerConfig``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

CutAudio = Callable[[Path, float, float, Path], bool]
"""``(sitting_archive_dir, t0_s, t1_s, out_wav) -> found``: write the archive's audio
between t0 and t1 (seconds on the archive's clock) as a WAV file; False when that
sitting has no archive."""
