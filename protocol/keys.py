"""Ed25519 keys, signatures and the domain tags that keep their uses apart.

Every signed message starts with a domain tag, so a signature made for a
connect challenge can never pass as a ballot, or a ballot as a seal.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol.canonical import canonical_bytes

CONNECT_TAG = b"hemicycle/connect/v1\x00"
BALLOT_TAG = "hemicycle/ballot/v1"
SEAL_TAG = b"hemicycle/seal/v1\x00"


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def verify(public_hex: str, signature_hex: str, message: bytes) -> bool:
    """True when the signature over message is valid for the raw public key."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def pairing_code(public_hex: str) -> str:
    """What a device shows for enrolment: 8 characters a clerk can type, from its key."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    digest = hashlib.sha256(bytes.fromhex(public_hex)).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:8])


def connect_message(nonce: str, device_id: str) -> bytes:
    """The bytes a device signs to prove key possession when it connects."""
    return CONNECT_TAG + nonce.encode() + b"\x00" + device_id.encode()


def seal_message(stream: str, vote_id: str, closed_seq: int, closed_hash: str, result_sha256: str) -> bytes:
    """The bytes the server signs to seal a vote's result to the chain head."""
    body = {
        "stream": stream,
        "vote_id": vote_id,
        "closed_seq": closed_seq,
        "closed_hash": closed_hash,
        "result_sha256": result_sha256,
    }
    return SEAL_TAG + canonical_bytes(body)
