"""The hub's commands: agencies and keys, signing, hits and the inbox, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exc import CrosscheckError, InvalidData
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.service import handling, hub
from crosscheck.service.access import Acting
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import ACTIONS
from crosscheck.store.hub_store import HubStore

agency_app = typer.Typer(help="Agencies, their keys and identities.", no_args_is_help=True)
hit_app = typer.Typer(help="Decide on a hit notice in your inbox.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
AgencyOption = Annotated[str, typer.Option("--agency", "-a", help="The agency you act for")]
ActingAgency = Annotated[
    str | None,
    typer.Option("--agency", "-a", help="The agency you act for (with --token-file: its own)"),
]


@agency_app.command("add")
def agency_add(
    name: Annotated[str, typer.Argument(help="Agency name")],
    country: Annotated[str, typer.Option(help="ISO country code, e.g. BE")],
    key_out: Annotated[
        Path | None, typer.Option(help="Where to write the private key (never overwritten)")
    ] = None,
) -> None:
    """Create an agency with a new Ed25519 key pair; the private key is written once, to a file."""
    settings = common.settings()
    case_store = common.store(create=True)
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    path = key_out or settings.home / "keys" / f"{slug}.key"
    key = hub.add_agency(case_store, name, country, path)
    common.out.print(f"agency {name} ({country.upper()}): key {key}; private key written to {path}")


@agency_app.command("list")
def agency_list() -> None:
    """Agencies with keys, and whether each key is revoked."""
    table = Table("agency", "country", "key id", "state")
    for key in HubStore(common.store().engine).agency_keys():
        state = "revoked" if key.revoked else "active"
        table.add_row(key.agency, key.country.upper(), key.key_id, state)
    common.out.print(table)


@agency_app.command("revoke")
def agency_revoke(name: Annotated[str, typer.Argument(help="Agency name")]) -> None:
    """Revoke the agency's keys and its users' tokens: its packages and API calls are refused.

    Its users need new tokens (`user add`) once the agency has a new key (`agency add`).
    """
    done = hub.revoke_agency(common.store(), name)
    common.out.print(f"{name}: {done.keys} key(s) and {done.credentials} user token(s) revoked")


def sign(
    package: Annotated[Path, typer.Argument(help="Contribution package (.zip)")],
    agency_key: Annotated[Path, typer.Option(help="The agency's private key file")],
    agency: AgencyOption,
) -> None:
    """Sign a contribution package with the agency's key (signature.json inside the zip)."""
    signature = sign_package(package, load_key(agency_key), agency)
    common.out.print(f"signed {package} for {agency} with key {signature.key_id}")


def _acting(action: str, agency: str | None, token_file: Path | None) -> tuple[CaseStore, Acting]:
    case_store = common.store()
    return case_store, common.acting(case_store, action, agency, token_file, needs_agency=True)


def hits(
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
) -> None:
    """Hits on your contributions: hit/no-hit, the owning agency, and the item once released."""
    case_store, who = _acting("hits", agency, token_file)
    assert who.agency is not None
    views = hub.hits_for(case_store, who.agency, who.actor)
    if fmt is common.TableOrJson.json:
        common.write_json([view.__dict__ for view in views])
        return
    table = Table("hit", "signal", "your item", "held by", "status", "their item", "handling")
    for view in views:
        if view.other_entity is not None:
            item = view.other_entity
        elif view.restriction is not None:
            item = f"(acknowledge the restriction: crosscheck hit acknowledge {view.ref})"
        else:
            item = "(not released)"
        table.add_row(
            view.ref,
            view.signal,
            view.own_entity,
            view.other_agency,
            view.status,
            item,
            view.other_handling or "",
        )
    common.out.print(table)


def inbox(
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
) -> None:
    """Notices: another agency's contribution hit your data; release or decline each."""
    case_store, who = _acting("inbox", agency, token_file)
    assert who.agency is not None
    views = hub.inbox_for(case_store, who.agency, who.actor)
    if fmt is common.TableOrJson.json:
        common.write_json([view.__dict__ for view in views])
        return
    table = Table("hit", "signal", "your item", "requested by", "status")
    for view in views:
        table.add_row(view.ref, view.signal, view.own_entity, view.other_agency, view.status)
    common.out.print(table)


@hit_app.command("release")
def hit_release(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
) -> None:
    """Release the matched item to the requesting agency (within its handling code)."""
    case_store, who = _acting("decide", agency, token_file)
    assert who.agency is not None
    decided = hub.decide(case_store, ref, who.agency, release=True, actor=who.actor)
    common.out.print(f"{ref}: released to {decided.agency}")


@hit_app.command("decline")
def hit_decline(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
) -> None:
    """Decline: the requester keeps seeing only that a hit exists."""
    case_store, who = _acting("decide", agency, token_file)
    assert who.agency is not None
    decided = hub.decide(case_store, ref, who.agency, release=False, actor=who.actor)
    common.out.print(f"{ref}: declined for {decided.agency}")


@hit_app.command("acknowledge")
def hit_acknowledge(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
) -> None:
    """Acknowledge the provider's H3 restriction on a released hit; then its item shows."""
    case_store, who = _acting("acknowledge", agency, token_file)
    restriction = handling.acknowledge(case_store, ref, who)
    common.out.print(f"{ref}: restriction acknowledged for {who.agency}: {restriction}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain: any changed, removed or reordered entry is found."""
    entries, ok, problem, head = hub.verify_audit(common.store())
    if not ok:
        raise CrosscheckError(f"audit log broken after {entries} entries: {problem}")
    common.out.print(f"audit log intact: {entries} entries; head {head}")


def _since(text: str | None) -> datetime | None:
    """An ISO date or date and time; UTC unless it names its zone."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidData(
            f"--since {text!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@audit_app.command("show")
def audit_show(
    since: Annotated[
        str | None, typer.Option(help="From this date or time (ISO; UTC unless zoned)")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor (exact)")] = None,
    action: Annotated[
        str | None, typer.Option(help=f"Only this action: {', '.join(sorted(ACTIONS))}")
    ] = None,
    fmt: Annotated[
        common.TableOrJsonl, typer.Option("--format", "-f", help="table or jsonl")
    ] = common.TableOrJsonl.table,
) -> None:
    """Read the audit log: id, time, actor, action, subject, detail (metadata, never content)."""
    entries = hub.audit_entries(common.store(), since=_since(since), actor=actor, action=action)
    if fmt is common.TableOrJsonl.jsonl:
        common.write_json_lines({**e.__dict__, "at": e.at.isoformat()} for e in entries)
        return
    table = Table("id", "time", "actor", "action", "subject", "detail")
    for e in entries:
        table.add_row(
            str(e.id),
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            e.subject,
            orjson.dumps(e.detail, option=orjson.OPT_SORT_KEYS).decode(),
        )
    common.out.print(table)


user_app = typer.Typer(help="Users of the hub and their API tokens.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name")],
    role: Annotated[str, typer.Option(help="examiner, analyst, agency_admin or hub_operator")],
    token_out: Annotated[Path, typer.Option(help="Where to write the API token (once)")],
    agency: Annotated[
        str | None, typer.Option(help="The user's agency (none for hub_operator)")
    ] = None,
) -> None:
    """Create a user with an API token; only the token's HMAC-SHA-256 (keyed) is stored."""
    settings = common.settings()
    number = hub.add_user(
        common.store(create=True), name, role, agency, token_out, settings=settings
    )
    common.out.print(
        f"user {name} ({role}{', ' + agency if agency else ''}), credential {number}: "
        f"token written to {token_out}"
    )


@user_app.command("list")
def user_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's users")] = None,
) -> None:
    """Users and their credentials: id, name, role, agency, created, revoked (never a token)."""
    table = Table("id", "name", "role", "agency", "created", "revoked")
    for user in hub.users(common.store(), agency):
        if user.revoked_at is not None:
            revoked = user.revoked_at.isoformat(timespec="seconds")
        else:
            revoked = "-" if user.usable else "(re-issue: made before token MACs)"
        table.add_row(
            str(user.id),
            user.name,
            user.role,
            user.agency or "(hub)",
            user.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    common.out.print(table)


@user_app.command("revoke")
def user_revoke(
    who: Annotated[str, typer.Argument(help="User name, or credential id (see `user list`)")],
    agency: Annotated[str | None, typer.Option(help="Look only among this agency's users")] = None,
) -> None:
    """Revoke a user's token: refused by every hub process from the next request on."""
    done = hub.revoke_user(common.store(), who, agency)
    common.out.print(f"user {done.name} ({done.agency or 'hub'}), credential {done.id}: revoked")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Run the hub: the JSON API under /api/v1 (OpenAPI at /docs) and the cross-check worker."""
    import uvicorn

    from crosscheck.web.app import create_app

    uvicorn.run(create_app(common.settings()), host=host, port=port, log_level="info")


def submit(
    package: Annotated[Path, typer.Argument(help="Contribution package (.zip)")],
    hub_url: Annotated[
        str, typer.Option("--hub", help="The hub's base URL, e.g. http://127.0.0.1:8000")
    ],
    agency_key: Annotated[Path, typer.Option(help="The agency's private key file")],
    agency: AgencyOption,
    token_file: Annotated[Path, typer.Option(help="A file holding your API token")],
) -> None:
    """Sign a package and upload it to the hub, streamed (never held whole in memory)."""
    import httpx

    sign_package(package, load_key(agency_key), agency)
    token = token_file.read_text(encoding="utf-8").strip()

    def chunks() -> Iterator[bytes]:
        with package.open("rb") as stream:
            while block := stream.read(1 << 20):
                yield block

    response = httpx.post(
        f"{hub_url.rstrip('/')}/api/v1/contributions",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip"},
        timeout=httpx.Timeout(10.0, read=600.0, write=600.0),
    )
    if response.status_code >= 400:
        detail = response.json().get("detail", response.text)
        raise CrosscheckError(f"{package}: the hub refused it ({response.status_code}): {detail}")
    body = response.json()
    state = "stored" if body["created"] else "already held"
    common.out.print(f"{package}: {state} as {body['contribution']}; cross-check queued")
