"""No speech, no words: voice-activity detection and the script a language is written in.

Both engines write words into silence, mains hum and noise if asked to
(Whisper's "You", Kaldi's short filler words). So before and around
recognition, every turn's audio goes through Silero VAD (the ONNX model
``faster-whisper`` ships in its package, run by ``onnxruntime``; nothing is
downloaded): audio with no speech gets no segment, and words outside the
speech found are dropped. Whisper's own per-segment signals
(``no_speech_prob``, ``avg_logprob``, ``compression_ratio``) drop the rest;
the thresholds are :class:`SpeechGate` fields.

A segment is also dropped when its letters are not in the script of the
language it was recognised as (:func:`script_matches`): an English model
never writes over a Khmer turn, and a multilingual model that writes Khmer
in Latin letters gives no text rather than a wrong one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["SCRIPTS", "SpeechGate", "load_vad", "script_matches", "speech_regions"]

_RATE: Final = 16000


@dataclass(frozen=True, slots=True)
class SpeechGate:
    """Thresholds that decide what counts as speech; the defaults are Whisper's own.

    ``vad_threshold``: Silero speech probability (0-1) above which a 32 ms
    window is speech (Silero's default 0.5). ``min_speech``: seconds of
    speech a region needs to count (shorter blips are clicks or coughs).
    ``pad``: seconds kept around each region. ``max_region``: the longest
    region in seconds before it is split at a pause (Whisper decodes 30 s
    windows; a Khmer fine-tune wants about 12 s, since Khmer costs about two
    tokens a character). ``no_speech_prob``, ``min_avg_logprob`` and
    ``max_compression_ratio`` are the cut-offs openai/whisper uses in
    ``transcribe.py`` (0.6, -1.0, 2.4); a Whisper segment beyond any of them
    is dropped. ``min_word_conf``: Vosk words below it (0-1) are dropped.
    ``min_language_share``: the identifier's probability (0-1) that a turn
    is in one of the model's languages, summed, above which the model may
    write it even if another language came out first.
    """

    vad_threshold: float = 0.5
    min_speech: float = 0.25
    pad: float = 0.2
    max_region: float = 30.0
    no_speech_prob: float = 0.6
    min_avg_logprob: float = -1.0
    max_compression_ratio: float = 2.4
    min_word_conf: float = 0.0
    min_language_share: float = 0.25

    def keeps(self, no_speech_prob: float, avg_logprob: float, compression_ratio: float) -> bool:
        """Whether a Whisper segment with these signals is kept."""
        return (
            no_speech_prob <= self.no_speech_prob
            and avg_logprob >= self.min_avg_logprob
            and compression_ratio <= self.max_compression_ratio
        )


def load_vad() -> None:
    """Load Silero VAD now (about 0.5 s, once per process) rather than at the first turn's end."""
    from faster_whisper.vad import get_vad_model

    get_vad_model()


def speech_regions(audio: npt.NDArray[np.float32], gate: SpeechGate) -> list[tuple[float, float]]:
    """Where ``audio`` (float32, 16 kHz mono, -1..1) holds speech: (start s, end s), in order.

    Silero VAD via ``faster_whisper.vad``; an empty list means no speech.
    """
    if len(audio) < _RATE * gate.min_speech:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=gate.vad_threshold,
        min_speech_duration_ms=round(gate.min_speech * 1000),
        max_speech_duration_s=gate.max_region,
        min_silence_duration_ms=500,
        speech_pad_ms=round(gate.pad * 1000),
    )
    return [(c["start"] / _RATE, c["end"] / _RATE) for c in get_speech_timestamps(audio, options)]


# The Unicode scripts each language is written in (Unicode names as ``unicodedata.name`` gives
# them: the first word of a letter's name). Languages not listed are taken to be written in Latin.
SCRIPTS: Final[dict[str, frozenset[str]]] = {
    "km": frozenset({"KHMER"}),
    "ko": frozenset({"HANGUL"}),
    "ja": frozenset({"HIRAGANA", "KATAKANA", "CJK"}),
    "zh": frozenset({"CJK"}),
    "yue": frozenset({"CJK"}),
    "th": frozenset({"THAI"}),
    "lo": frozenset({"LAO"}),
    "my": frozenset({"MYANMAR"}),
    "vi": frozenset({"LATIN"}),
    "ru": frozenset({"CYRILLIC"}),
    "uk": frozenset({"CYRILLIC"}),
    "bg": frozenset({"CYRILLIC"}),
    "ar": frozenset({"ARABIC"}),
    "fa": frozenset({"ARABIC"}),
    "he": frozenset({"HEBREW"}),
    "hi": frozenset({"DEVANAGARI"}),
    "el": frozenset({"GREEK"}),
}


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def script_matches(text: str, language: str) -> bool:
    """Whether most letters of ``text`` are in the script ``language`` is written in.

    Digits, punctuation and spaces do not count; a text with no letters
    matches. Most, not all: a Korean speech may name "NATO" in Latin letters.
    """
    scripts = SCRIPTS.get(language, frozenset({"LATIN"}))
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Mc"]
    if not letters:
        return True
    inside = sum(1 for ch in letters if _script(ch) in scripts)
    return inside * 2 > len(letters)
