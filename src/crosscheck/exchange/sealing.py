"""AES-GCM sealing of messages at rest (bodies, attachments, metadata), bound to their message."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crosscheck.exc import CrosscheckError, InvalidData

KEY_BYTES = 32


def parse_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise InvalidData("the message key is not base64") from exc
    if len(key) != KEY_BYTES:
        raise InvalidData(f"the message key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def new_key_text() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def seal(key: bytes, plaintext: bytes, context: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext); ``context`` (the message ref and part) is authenticated too."""
    nonce = os.urandom(12)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, nonce: bytes, ciphertext: bytes, context: str) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context.encode())
    except InvalidTag as exc:
        raise CrosscheckError(f"{context}: cannot be decrypted (wrong key, or altered)") from exc


NONCE_BYTES = 12


def seal_blob(key: bytes, plaintext: bytes, context: str) -> bytes:
    """Nonce and ciphertext in one value (for one column)."""
    nonce, sealed = seal(key, plaintext, context)
    return nonce + sealed


def unseal_blob(key: bytes, blob: bytes, context: str) -> bytes:
    return unseal(key, blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
