"""Every ``CROSSCHECK_*`` setting, with its default and what it does.

Read once, here; domain code receives values as arguments and never reads the
environment. ``docs/settings.md`` lists the same table (a test keeps them equal).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from crosscheck.exc import InvalidData


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CROSSCHECK_HOME", "./crosscheck-data", "Folder for the embedded database and outputs."
    ),
    Setting(
        "CROSSCHECK_DB_URL",
        "",
        "SQLAlchemy URL of the case store; empty means a SQLite file "
        "`crosscheck.db` under CROSSCHECK_HOME. PostgreSQL: "
        "`postgresql+psycopg://user@host:5432/db`.",
    ),
    Setting(
        "CROSSCHECK_REVIEW_YEARS",
        "3",
        "Years after receipt until a contribution is due for review; also the cap on a review "
        "date a package sets (longer only by `retention justify`).",
    ),
    Setting(
        "CROSSCHECK_MAX_PACKAGE_BYTES",
        str(8 << 30),
        "Largest contribution package accepted, in bytes; larger files are refused unread.",
    ),
    Setting(
        "CROSSCHECK_MESSAGE_KEY",
        "",
        "Base64 AES-256 key sealing message bodies and attachments at rest; empty means a key "
        "file `message.key` made once under CROSSCHECK_HOME.",
    ),
    Setting(
        "CROSSCHECK_TOKEN_KEY",
        "",
        "Base64 256-bit key of the HMAC-SHA-256 that API tokens are stored and checked by; every "
        "server process of a hub needs the same one. Empty means a key file `token.key` made once "
        "under CROSSCHECK_HOME.",
    ),
    Setting(
        "CROSSCHECK_MAX_LINE_BYTES",
        str(16 << 20),
        "Longest JSON line accepted in a package member, in bytes.",
    ),
    Setting(
        "CROSSCHECK_MAX_BODY_BYTES",
        str(1 << 20),
        "Largest JSON request body the hub's API reads, in bytes; a larger one is refused (413) "
        "unread, or cut off at the limit when it is sent in chunks.",
    ),
    Setting(
        "CROSSCHECK_SESSION_IDLE_MINUTES",
        "30",
        "Minutes a workbench session may stay idle before it ends (log in again).",
    ),
    Setting(
        "CROSSCHECK_LOGIN_ATTEMPTS",
        "5",
        "Wrong passwords in a row that lock a workbench user out.",
    ),
    Setting(
        "CROSSCHECK_LOGIN_LOCK_MINUTES",
        "15",
        "Minutes a workbench user stays locked out after too many wrong passwords.",
    ),
    Setting(
        "CROSSCHECK_WEB_ASSETS",
        "",
        "Folder of the workbench's front-end libraries (npm's node_modules); empty means "
        "`frontend/node_modules` of the checkout, filled by scripts/install.",
    ),
)


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    review_years: int
    max_package_bytes: int
    max_line_bytes: int
    message_key: str = ""
    token_key: str = ""
    max_body_bytes: int = 1 << 20
    session_idle_minutes: int = 30
    login_attempts: int = 5
    login_lock_minutes: int = 15
    web_assets: str = ""

    def __repr__(self) -> str:
        """Every field but the secrets: keys shown as set or not, the URL without password."""
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name.endswith("_key"):
                shown.append(f"{item.name}={'<set>' if value else '<unset>'}")
            elif item.name == "db_url":
                shown.append(f"db_url={masked_url(value)!r}")
            else:
                shown.append(f"{item.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {s.name: env.get(s.name, s.default) for s in SETTINGS}
        home = Path(values["CROSSCHECK_HOME"]).expanduser()
        db_url = values["CROSSCHECK_DB_URL"] or f"sqlite:///{home / 'crosscheck.db'}"
        return cls(
            home=home,
            db_url=db_url,
            review_years=_int(values, "CROSSCHECK_REVIEW_YEARS", minimum=0),
            max_package_bytes=_int(values, "CROSSCHECK_MAX_PACKAGE_BYTES", minimum=1),
            max_line_bytes=_int(values, "CROSSCHECK_MAX_LINE_BYTES", minimum=1024),
            message_key=values["CROSSCHECK_MESSAGE_KEY"],
            token_key=values["CROSSCHECK_TOKEN_KEY"],
            max_body_bytes=_int(values, "CROSSCHECK_MAX_BODY_BYTES", minimum=1024),
            session_idle_minutes=_int(values, "CROSSCHECK_SESSION_IDLE_MINUTES", minimum=1),
            login_attempts=_int(values, "CROSSCHECK_LOGIN_ATTEMPTS", minimum=1),
            login_lock_minutes=_int(values, "CROSSCHECK_LOGIN_LOCK_MINUTES", minimum=1),
            web_assets=values["CROSSCHECK_WEB_ASSETS"],
        )


def masked_url(url: str) -> str:
    """A database URL with its password (if any) replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", url)


_PASSWORD = re.compile(r"^([^:/]+://[^:/@]*:)[^/]*@")


def _int(values: Mapping[str, str], name: str, minimum: int) -> int:
    try:
        number = int(values[name])
    except ValueError as exc:
        raise InvalidData(f"{name} must be a whole number, got {values[name]!r}") from exc
    if number < minimum:
        raise InvalidData(f"{name} must be at least {minimum}, got {number}")
    return number
