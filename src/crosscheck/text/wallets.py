"""Checksummed addresses: Bitcoin (base58check, bech32/bech32m), Ethereum (EIP-55),
Monero (its own base58 and Keccak checksum), Tor onion v3 (SHA3-256 checksum).

Each ``check_*`` returns the normalised address, or None when the checksum fails.
"""

from __future__ import annotations

import base64
import hashlib
import re

from Crypto.Hash import keccak

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58)}
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _b58decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            return None
        number = number * 58 + _B58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def check_base58check(address: str) -> str | None:
    """Bitcoin legacy (1…) and P2SH (3…) addresses."""
    raw = _b58decode(address)
    if raw is None or len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return None
    digest = hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()
    return address if digest[:4] == raw[21:] else None


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum


def check_bech32(address: str) -> str | None:
    """Bitcoin segwit addresses: bech32 for version 0, bech32m for versions 1-16 (BIP 173/350)."""
    if address.lower() != address and address.upper() != address:
        return None
    text = address.lower()
    hrp, _, data = text.rpartition("1")
    if hrp not in ("bc", "tb") or not 6 <= len(data) <= 90 or any(c not in BECH32 for c in data):
        return None
    values = [BECH32.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _polymod(expanded + values)
    version = values[0]
    if (version == 0 and constant != _BECH32_CONST) or (version > 0 and constant != _BECH32M_CONST):
        return None
    program_bits = (len(values) - 7) * 5
    if version > 16 or not 2 * 8 <= program_bits // 8 * 8 <= 40 * 8:
        return None
    return text


def check_ethereum(address: str) -> str | None:
    """0x + 40 hex digits; mixed case must carry a valid EIP-55 checksum."""
    body = address[2:]
    if not address.startswith(("0x", "0X")) or len(body) != 40:
        return None
    if not re.fullmatch(r"[0-9a-fA-F]{40}", body):
        return None
    if body.islower() or body.isupper() or body.isdigit():
        return "0x" + body.lower()
    digest = keccak256(body.lower().encode()).hex()
    for char, nibble in zip(body, digest[:40], strict=True):
        if char.isalpha() and char.isupper() != (int(nibble, 16) >= 8):
            return None
    return "0x" + body.lower()


_XMR_BLOCK = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}  # chars -> bytes


def _xmr_decode(text: str) -> bytes | None:
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        size = _XMR_BLOCK.get(len(block))
        if size is None:
            return None
        number = 0
        for char in block:
            if char not in _B58_INDEX:
                return None
            number = number * 58 + _B58_INDEX[char]
        if number >= 1 << (8 * size):
            return None
        out.extend(number.to_bytes(size, "big"))
    return bytes(out)


def check_monero(address: str) -> str | None:
    """Standard (4…) and sub-addresses (8…) of 95 characters, and integrated ones (106)."""
    if len(address) not in (95, 106) or address[0] not in "48":
        return None
    raw = _xmr_decode(address)
    if raw is None or keccak256(raw[:-4])[:4] != raw[-4:]:
        return None
    return address


def check_onion_v3(host: str) -> str | None:
    """56 base32 characters: public key, 2-byte SHA3-256 checksum, version 3."""
    label = host.lower().removesuffix(".onion")
    if len(label) != 56:
        return None
    try:
        raw = base64.b32decode(label.upper())
    except ValueError:
        return None
    key, checksum, version = raw[:32], raw[32:34], raw[34:]
    expected = hashlib.sha3_256(b".onion checksum" + key + version).digest()[:2]
    return f"{label}.onion" if version == b"\x03" and checksum == expected else None
