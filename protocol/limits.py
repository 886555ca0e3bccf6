"""The sizes both ends agree on, in bytes of UTF-8 JSON (not characters).

Khmer is 3 bytes a character in UTF-8, so a character limit and a byte limit
disagree by 3x for it (DESIGN.md, Known ground). The command limit is set so
that every text field at its character limit (``protocol.types``) fits in the
worst script: an ``OpenVote`` with both motions at 10,000 Khmer characters and
20 options at 200 is about 73,000 bytes. Lists (roster, words of a segment) are
bounded by this byte limit before their item counts; ``tests/test_fuzz.py``
checks the worst text case against it.
"""

MAX_COMMAND_BYTES = 96 * 1024
"""Largest ``command`` message the hall accepts; larger ones get ``too_large``."""

MAX_MESSAGE_BYTES = 256 * 1024
"""Largest Socket.IO message at all: beyond it the transport drops the connection
without an answer, so clients check it before sending (``seat_client.client``)."""

MAX_DEPTH = 16
"""Deepest nesting of arrays and objects in any message; the deepest command is 5."""

SYNC_LIMIT = 2000
"""A ``sync`` from further behind than this many records is answered with a snapshot."""
