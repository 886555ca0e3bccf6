"""Hemicycle's media plane: the recorder.

``capture`` (timestamped PCM from PortAudio or files) -> ``archive``
(lossless FLAC segments, cut by wall time) and ``pipeline`` (per-turn
recognition with windows from ``turns``) -> ``stt`` engines (Vosk,
Whisper); ``transcribe`` runs a file through the same engines offline;
``hansard`` builds the published record. Errors live in ``errors``.
``service`` is the recorder process: it follows the floor (``sittings``),
drives the pipeline, and stores each turn's transcript (``transcript``)
and live captions through the hall server; ``cli`` is its command line.
Submodules are imported on demand so the control plane stays light.
"""
