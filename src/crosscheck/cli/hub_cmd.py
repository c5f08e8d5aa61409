"""The hub's commands: agencies and keys, signing, hits and the inbox, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exc import CrosscheckError
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.service import hub
from crosscheck.store.hub_store import HubStore

agency_app = typer.Typer(help="Agencies, their keys and identities.", no_args_is_help=True)
hit_app = typer.Typer(help="Decide on a hit notice in your inbox.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
AgencyOption = Annotated[str, typer.Option("--agency", "-a", help="The agency you act for")]


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
    """Revoke the agency's key: packages it signs are refused from now on."""
    count = hub.revoke_agency(common.store(), name)
    common.out.print(f"{name}: {count} key(s) revoked")


def sign(
    package: Annotated[Path, typer.Argument(help="Contribution package (.zip)")],
    agency_key: Annotated[Path, typer.Option(help="The agency's private key file")],
    agency: AgencyOption,
) -> None:
    """Sign a contribution package with the agency's key (signature.json inside the zip)."""
    signature = sign_package(package, load_key(agency_key), agency)
    common.out.print(f"signed {package} for {agency} with key {signature.key_id}")


def hits(agency: AgencyOption) -> None:
    """Hits on your contributions: hit/no-hit, the owning agency, and the item once released."""
    table = Table("hit", "signal", "your item", "held by", "status", "their item")
    for view in hub.hits_for(common.store(), agency):
        table.add_row(
            view.ref,
            view.signal,
            view.own_entity,
            view.other_agency,
            view.status,
            view.other_entity or "(not released)",
        )
    common.out.print(table)


def inbox(agency: AgencyOption) -> None:
    """Notices: another agency's contribution hit your data; release or decline each."""
    table = Table("hit", "signal", "your item", "requested by", "status")
    for view in hub.inbox_for(common.store(), agency):
        table.add_row(view.ref, view.signal, view.own_entity, view.other_agency, view.status)
    common.out.print(table)


@hit_app.command("release")
def hit_release(
    ref: Annotated[str, typer.Argument(help="Hit reference")], agency: AgencyOption
) -> None:
    """Release the matched item to the requesting agency (within its handling code)."""
    decided = hub.decide(common.store(), ref, agency, release=True)
    common.out.print(f"{ref}: released to {decided.agency}")


@hit_app.command("decline")
def hit_decline(
    ref: Annotated[str, typer.Argument(help="Hit reference")], agency: AgencyOption
) -> None:
    """Decline: the requester keeps seeing only that a hit exists."""
    decided = hub.decide(common.store(), ref, agency, release=False)
    common.out.print(f"{ref}: declined for {decided.agency}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain: any changed, removed or reordered entry is found."""
    entries, ok, problem, head = hub.verify_audit(common.store())
    if not ok:
        raise CrosscheckError(f"audit log broken after {entries} entries: {problem}")
    common.out.print(f"audit log intact: {entries} entries; head {head}")


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
    """Create a user with an API token; only the token's argon2 hash is stored."""
    hub.add_user(common.store(create=True), name, role, agency, token_out)
    common.out.print(
        f"user {name} ({role}{', ' + agency if agency else ''}): token written to {token_out}"
    )


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
