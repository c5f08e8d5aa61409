"""The CLI's client of a hub's API: the same commands, over HTTP with the user's token.

With ``--hub URL`` (or ``CROSSCHECK_HUB``, or the profile's hub) `message`,
`hits`, `inbox`, `hit`, `search` and `submit` call the hub instead of opening a
local store. A refusal is one line with the hub's ``detail`` (exit 2); an
unreachable hub is "cannot reach the hub at URL: ..." (exit 2); never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from crosscheck.cli import profile
from crosscheck.exc import CrosscheckError, InvalidData

HubUrl = Annotated[
    str | None,
    typer.Option(
        "--hub",
        envvar="CROSSCHECK_HUB",
        help="Work against this hub's API (e.g. https://hub.example:8000) with your token; "
        "default: the profile's hub (crosscheck login), else the local store",
    ),
]
TIMEOUT = httpx.Timeout(10.0, read=120.0, write=600.0)


class RemoteError(CrosscheckError):
    """The hub refused a request (its status; 4xx: exit 2) or could not be reached (exit 2)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InvalidData(f"{path}: cannot read the token file ({exc.strerror})") from exc
    if not token:
        raise InvalidData(f"{path}: the token file is empty")
    return token


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI's validation errors
        return "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'request'}: {e.get('msg', e)}"
            if isinstance(e, dict)
            else str(e)
            for e in detail
        )
    return str(detail)


@dataclass(frozen=True)
class Hub:
    """One hub, one token: requests with the error handling every remote command shares."""

    url: str
    token: str

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        try:
            response = httpx.request(
                method, f"{self.url}/api/v1{path}", headers=headers, timeout=TIMEOUT, **kwargs
            )
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the hub at {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise RemoteError(
                f"the hub refused it ({response.status_code}): {_detail(response)}",
                status=response.status_code if response.status_code < 500 else 500,
            )
        return response

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, json=body).json()

    def upload(self, path: str, chunks: Iterator[bytes]) -> Any:
        return self.request(
            "POST", path, content=chunks, headers={"Content-Type": "application/zip"}
        ).json()


def hub_for(
    hub_url: str | None, agency: str | None, token_file: Path | None, *, explicit: bool = False
) -> Hub | None:
    """The hub to call, or None: work on the local store.

    The hub comes from the flag, the environment or the profile; the token file
    likewise. ``agency`` (flag, environment or profile) must be the token's own:
    the hub checks it (`GET /whoami`) before anything else is done.
    """
    url = profile.value("hub", hub_url)
    if url is None:
        if explicit:
            raise InvalidData(
                "name the hub with --hub URL (or CROSSCHECK_HUB, or crosscheck login)"
            )
        return None
    if not url.startswith(("http://", "https://")):
        raise InvalidData(f"--hub {url!r}: give the hub's URL, e.g. https://hub.example:8000")
    token_path = profile.value("token_file", token_file)
    if token_path is None:
        raise InvalidData(
            f"to work with the hub at {url}, give --token-file FILE "
            "(or CROSSCHECK_TOKEN_FILE, or crosscheck login)"
        )
    hub = Hub(url.rstrip("/"), read_token(Path(token_path)))
    # the profile's agency goes with the profile's token: a token given by flag or
    # environment speaks for its own agency unless --agency (or CROSSCHECK_AGENCY) names one
    claimed = agency if token_file is not None else profile.value("agency", agency)
    if claimed is not None:
        me = hub.get("/whoami")
        if me.get("agency") != claimed:
            owner = me.get("agency") or "the hub"
            raise RemoteError(
                f"the token is {me.get('name')}'s of {owner}, not of {claimed}", status=403
            )
    return hub
