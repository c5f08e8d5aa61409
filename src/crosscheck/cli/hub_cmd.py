"""The hub's commands: agencies and keys, signing, hits and the inbox, the audit log."""

from __future__ import annotations

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
