"""The examiner's profile: which hub, which agency, where the token and the key files are.

`crosscheck login` writes ``$XDG_CONFIG_HOME/crosscheck/profile.toml`` (else
``~/.config/crosscheck/profile.toml``), mode 0600. It holds paths to the token
and key files, never the secrets. Precedence for each value: the command's flag,
then the environment (``CROSSCHECK_HUB``, ``CROSSCHECK_AGENCY``,
``CROSSCHECK_TOKEN_FILE``, ``CROSSCHECK_AGENCY_KEY``), then the profile.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from crosscheck.exc import InvalidData

FIELDS = ("hub", "agency", "token_file", "agency_key")
ENV = {
    "hub": "CROSSCHECK_HUB",
    "agency": "CROSSCHECK_AGENCY",
    "token_file": "CROSSCHECK_TOKEN_FILE",
    "agency_key": "CROSSCHECK_AGENCY_KEY",
}


def path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "crosscheck" / "profile.toml"


@dataclass(frozen=True)
class Profile:
    hub: str | None = None
    agency: str | None = None
    token_file: Path | None = None
    agency_key: Path | None = None


def load() -> Profile:
    """The profile; an empty one when there is none."""
    where = path()
    try:
        raw = where.read_bytes()
    except FileNotFoundError:
        return Profile()
    except OSError as exc:
        raise InvalidData(f"{where}: cannot read the profile ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidData(f"{where}: not a profile ({exc}); run crosscheck login again") from exc
    values = {k: v for k, v in data.items() if k in FIELDS and isinstance(v, str) and v}
    return Profile(
        hub=values.get("hub"),
        agency=values.get("agency"),
        token_file=Path(values["token_file"]) if "token_file" in values else None,
        agency_key=Path(values["agency_key"]) if "agency_key" in values else None,
    )


def save(profile: Profile) -> Path:
    """Write the profile (0600 in a 0700 folder); strings quoted as TOML basic strings."""
    where = path()
    where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lines = ["# crosscheck profile (crosscheck login); paths to secrets, never secrets"]
    for name in FIELDS:
        item = getattr(profile, name)
        if item is not None:
            quoted = json.dumps(str(item), ensure_ascii=False).replace("\x7f", "\\u007f")
            lines.append(f"{name} = {quoted}")
    text = "\n".join(lines) + "\n"
    handle = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(text)
    return where


def remove() -> bool:
    where = path()
    if not where.exists():
        return False
    where.unlink()
    return True


def pick(name: str, given: str | Path | None) -> tuple[str | Path | None, str]:
    """The value in effect for ``name`` and where it comes from: flag, environment, profile.

    ``given`` is what the command received; typer fills it from the environment
    when the flag is absent, so the environment is told apart by comparing.
    """
    env = os.environ.get(ENV[name]) or None
    if given is not None:
        return given, "environment" if env is not None and str(given) == env else "flag"
    value = getattr(load(), name)
    return value, "profile" if value is not None else "unset"


def value(name: str, given: str | Path | None) -> str | None:
    found, _ = pick(name, given)
    return None if found is None else str(found)
