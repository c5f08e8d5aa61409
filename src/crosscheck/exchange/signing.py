"""Ed25519 signatures of contribution packages (``signature.json`` beside the manifest).

The signature covers the manifest's SHA-256 and the digest over all members
(which the manifest lists), with the signing agency and time: once the
reader has checked every member against the manifest, a valid signature
vouches for the whole package. Altering any byte, or moving the signature to
another package, breaks it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crosscheck.exc import InvalidData, InvalidPackage
from crosscheck.exchange.manifest import MANIFEST
from crosscheck.exchange.zip_members import CHUNK, SIGNATURE, CheckedZip

__all__ = [
    "SIGNATURE",
    "Signature",
    "read_signature",
    "sign_package",
    "signed_path",
    "verify_package",
]
CONTEXT = b"crosscheck-contribution-signature-v1"


@dataclass(frozen=True)
class Signature:
    agency: str
    key_id: str
    manifest_sha256: str
    members_digest: str
    signed_at: str
    value: bytes

    def message(self) -> bytes:
        return b"\n".join(
            [CONTEXT, self.agency.encode(), self.key_id.encode(), self.manifest_sha256.encode(),
             self.members_digest.encode(), self.signed_at.encode()]
        )  # fmt: skip

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "format": "crosscheck-signature",
                "version": 1,
                "algorithm": "ed25519",
                "agency": self.agency,
                "key_id": self.key_id,
                "manifest_sha256": self.manifest_sha256,
                "members_digest": self.members_digest,
                "signed_at": self.signed_at,
                "signature": base64.b64encode(self.value).decode(),
            },
            option=orjson.OPT_INDENT_2,
        )


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_hex(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_from_hex(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))


def new_key(path: Path) -> Ed25519PrivateKey:
    """A new key pair; the private key is written once, readable by its owner only."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_secret(path, pem)
    return private


def write_secret(path: Path, data: bytes) -> None:
    """Write a key or token once, readable by its owner only; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise InvalidData(f"{path}: a key file is already there; it is never overwritten") from exc
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidData(f"{path}: not a readable Ed25519 private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidData(f"{path}: not an Ed25519 private key")
    return key


def _manifest_parts(path: Path, label: str) -> tuple[str, str, str]:
    with CheckedZip(path, label) as archive:
        if MANIFEST not in archive.names():
            raise archive.fail(f"no {MANIFEST}; is this a crosscheck contribution package?")
        raw = archive.read(MANIFEST)
    try:
        manifest = orjson.loads(raw)
        members = manifest["members"]
        digest = hashlib.sha256()
        for name in sorted(members):
            sha256 = members[name]["sha256"]
            if not isinstance(name, str) or not isinstance(sha256, str):
                raise TypeError("member names and digests are text")
            digest.update(f"{name}\x1f{sha256}\n".encode())
        provider = manifest["contribution"]["provider"]["name"]
        if not isinstance(provider, str):
            raise TypeError("the provider's name is text")
    except orjson.JSONDecodeError as exc:
        raise InvalidPackage(label, f"not valid JSON ({exc})", MANIFEST) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidPackage(label, f"not a crosscheck manifest ({exc})", MANIFEST) from exc
    return hashlib.sha256(raw).hexdigest(), digest.hexdigest(), provider


def signed_path(path: Path) -> Path:
    """Where `crosscheck sign` writes the signed copy: ``NAME.signed.zip`` beside ``NAME.zip``."""
    stem = path.name[:-4] if path.name.lower().endswith(".zip") else path.name
    return path.with_name(f"{stem}.signed.zip")


def sign_package(
    path: Path, private: Ed25519PrivateKey, agency: str, out: Path | None = None
) -> Signature:
    """Write the package at ``path`` with ``signature.json`` added (or replaced) to ``out``.

    ``out`` None rewrites ``path`` itself (for a package the caller has just
    written); the CLI always writes a copy (:func:`signed_path`) and leaves the
    user's file as it was. The result is never more open than the input: it
    takes the input's permission bits.
    """
    manifest_sha256, members_digest, provider = _manifest_parts(path, str(path))
    if provider != agency:
        raise InvalidData(
            f"{path}: the package's provider is {provider}, not {agency}: sign it with "
            f"{provider}'s key, as {provider}"
        )
    unsigned = Signature(
        agency, key_id(private.public_key()), manifest_sha256, members_digest,
        datetime.now(UTC).isoformat(timespec="seconds"), b"",
    )  # fmt: skip
    signature = Signature(**{**unsigned.__dict__, "value": private.sign(unsigned.message())})
    target_path = out or path
    mode = path.stat().st_mode & 0o777
    tmp = target_path.with_name(f".{target_path.name}.signing")
    tmp.unlink(missing_ok=True)
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        CheckedZip(path, str(path)) as source,
        os.fdopen(handle, "wb") as raw,
        zipfile.ZipFile(raw, "w") as target,
    ):
        for info in source.archive.infolist():  # streamed through the caps, never whole
            if info.filename != SIGNATURE:
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                entry.file_size = info.file_size
                with source.open(info.filename) as data, target.open(entry, "w") as sink:
                    shutil.copyfileobj(data, sink, CHUNK)
        entry = zipfile.ZipInfo(SIGNATURE, date_time=(1980, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(entry, signature.to_json())
    tmp.chmod(mode)
    tmp.replace(target_path)
    return signature


def read_signature(path: Path, label: str | None = None) -> Signature | None:
    """The package's signature, or None; ``label`` names the package in errors (default: path)."""
    label = label or str(path)
    with CheckedZip(path, label) as archive:
        if SIGNATURE not in archive.names():
            return None
        raw = archive.read(SIGNATURE)
    try:
        data = orjson.loads(raw)
        return Signature(
            agency=str(data["agency"]),
            key_id=str(data["key_id"]),
            manifest_sha256=str(data["manifest_sha256"]),
            members_digest=str(data["members_digest"]),
            signed_at=str(data["signed_at"]),
            value=base64.b64decode(data["signature"], validate=True),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidPackage(label, f"signature unreadable ({exc})", SIGNATURE) from exc


def verify_package(
    path: Path, public: Ed25519PublicKey, agency: str, label: str | None = None
) -> Signature:
    """Check the package's signature against ``agency``'s key; raise InvalidPackage if it fails."""
    label = label or str(path)
    signature = read_signature(path, label)
    if signature is None:
        raise InvalidPackage(label, "not signed", SIGNATURE)
    manifest_sha256, members_digest, provider = _manifest_parts(path, label)
    problems = []
    if signature.agency != provider:
        problems.append(
            f"signed with {signature.agency}'s key, but the package's provider is {provider}"
        )
    elif signature.agency != agency:
        problems.append(f"signed by {signature.agency}, expected {agency}")
    if signature.key_id != key_id(public):
        problems.append("signed with another key than the agency's")
    if (signature.manifest_sha256, signature.members_digest) != (manifest_sha256, members_digest):
        problems.append("the signature is for another manifest (altered or moved)")
    if not problems:
        try:
            public.verify(signature.value, signature.message())
        except InvalidSignature:
            problems.append("the signature does not verify")
    if problems:
        raise InvalidPackage(label, "; ".join(problems), SIGNATURE)
    return signature
