"""The hub's commands: agencies and keys, signing, hits and the inbox, the audit log."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import orjson
import typer
from rich.table import Table

from crosscheck.cli import common, profile, remote
from crosscheck.exc import CrosscheckError, InvalidData
from crosscheck.exchange.signing import load_key, sign_package, signed_path
from crosscheck.service import handling, hub, workbench
from crosscheck.service.access import Acting
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import ACTIONS
from crosscheck.store.hub_store import HubStore

agency_app = typer.Typer(help="Agencies, their keys and identities.", no_args_is_help=True)
hit_app = typer.Typer(help="Decide on a hit notice in your inbox.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
AgencyOption = Annotated[
    str | None,
    typer.Option(
        "--agency",
        "-a",
        envvar="CROSSCHECK_AGENCY",
        help="The agency you act for (default: the profile's, crosscheck login)",
    ),
]
ActingAgency = Annotated[
    str | None,
    typer.Option(
        "--agency",
        "-a",
        envvar="CROSSCHECK_AGENCY",
        help="The agency you act for (with --token-file: its own)",
    ),
]
AgencyKey = Annotated[
    Path | None,
    typer.Option(
        envvar="CROSSCHECK_AGENCY_KEY",
        help="The agency's private key file (default: the profile's, crosscheck login)",
    ),
]


def _needed(name: str, given: str | Path | None, flag: str) -> str:
    """A value from the flag, the environment or the profile, or a one-line refusal."""
    found = profile.value(name, given)
    if found is None:
        raise InvalidData(f"give {flag} (or {profile.ENV[name]}, or crosscheck login)")
    return found


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
    agency_key: AgencyKey = None,
    agency: AgencyOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Where to write the signed copy (default NAME.signed.zip)"
        ),
    ] = None,
) -> None:
    """Sign a contribution package with the agency's key: a signed copy (signature.json inside
    the zip) is written beside it as NAME.signed.zip; the package itself is left as it was."""
    key = Path(_needed("agency_key", agency_key, "--agency-key FILE"))
    name = _needed("agency", agency, "--agency")
    target = out or signed_path(package)
    if target.resolve() == package.resolve():
        raise InvalidData(f"{target}: the signed copy never replaces the package; give --out")
    signature = sign_package(package, load_key(key), name, out=target)
    common.out.print(f"signed {package} for {name} with key {signature.key_id}: wrote {target}")


def _acting(action: str, agency: str | None, token_file: Path | None) -> tuple[CaseStore, Acting]:
    case_store = common.store()
    return case_store, common.acting(case_store, action, agency, token_file, needs_agency=True)


def print_hits(rows: list[dict[str, Any]], fmt: common.TableOrJson) -> None:
    """Hits as `hits` prints them, from hub.hits_for's views (as dicts) or the API's rows."""
    if fmt is common.TableOrJson.json:
        common.write_json(rows)
        return
    table = Table("hit", "signal", "your item", "held by", "status", "their item", "handling")
    for view in rows:
        if view.get("other_entity") is not None:
            item = _named(view.get("other_caption"), view.get("other_schema"), view["other_entity"])
        elif view.get("restriction") is not None:
            item = f"(acknowledge the restriction: crosscheck hit acknowledge {view['ref']})"
        else:
            item = "(not released)"
        table.add_row(
            view["ref"],
            f"{view['signal']} d={view.get('distance', 0)}",
            _named(view.get("own_caption"), view.get("own_schema"), view["own_entity"]),
            view["other_agency"],
            view["status"],
            item,
            view.get("other_handling") or "",
        )
    common.out.print(table)


def hits(
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
    hub_url: remote.HubUrl = None,
    view: ViewOption = None,
    detail: DetailOption = False,
) -> None:
    """Hits on your contributions, one notice per own item and owning agency: hit/no-hit,
    every matched item strongest first, and each item once released.

    A table shows the notices; `--format json` the per-signal rows (as before),
    `--view notices` the notices as JSON; `--detail` the per-signal rows in a table.
    """
    grouped = _grouped(view, detail, fmt)
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        if grouped:
            print_notices(target.get("/notices"), fmt)
        else:
            print_hits(target.get("/hits"), fmt)
        return
    case_store, who = _acting("hits", agency, token_file)
    assert who.agency is not None
    if grouped:
        notices = hub.notices_for(case_store, who.agency, who.actor)
        print_notices([asdict(n) for n in notices], fmt)
        return
    views = hub.hits_for(case_store, who.agency, who.actor)
    print_hits([dict(view.__dict__) for view in views], fmt)


class View(StrEnum):
    notices = "notices"
    hits = "hits"


ViewOption = Annotated[
    View | None,
    typer.Option(
        "--view",
        help="notices (one per own item and owning agency) or hits (one row per signal); "
        "default: notices in a table, hits in JSON",
    ),
]
DetailOption = Annotated[
    bool, typer.Option("--detail", "--per-hit", help="One row per hit and signal (--view hits)")
]


def _grouped(view: View | None, detail: bool, fmt: common.TableOrJson) -> bool:
    if detail:
        return False
    if view is not None:
        return view is View.notices
    return fmt is common.TableOrJson.table


def _named(caption: Any, schema: Any, entity: Any) -> str:
    """An item as a person knows it: its caption and schema, then its id."""
    if caption:
        return f"{caption} ({schema})\n{entity}" if entity else f"{caption} ({schema})"
    return str(entity or "")


def print_notices(rows: list[dict[str, Any]], fmt: common.TableOrJson) -> None:
    """Notices as `hits`/`inbox` print them, from the service's views (as dicts) or the API's."""
    if fmt is common.TableOrJson.json:
        common.write_json(rows)
        return
    owner = bool(rows) and rows[0]["side"] == "owner"
    items = "items, strongest first: hit, signal(s), distance, "
    if owner:  # the owner's inbox: who asked, and the owner's own matched items
        table = Table("notice", "requested by", "status", "hits", items + "your item")
    else:
        table = Table("notice", "your item", "held by", "status", "hits", items + "theirs")
    for notice in rows:
        lines = []
        for item in notice["items"]:
            if item.get("entity"):
                shown = _named(item.get("caption"), item.get("schema"), item["entity"])
            elif item.get("restriction") is not None:
                shown = f"(acknowledge the restriction: crosscheck hit acknowledge {item['ref']})"
            elif item["status"] == "released":
                shown = "(released; withheld by its handling code)"
            else:
                shown = "(not released)" if item["status"] == "pending" else f"({item['status']})"
            signals = "+".join(item["signals"])
            lines.append(f"{item['ref']} {signals} d={item['distance']} {shown}")
        own = _named(notice.get("own_caption"), notice.get("own_schema"), notice.get("own_entity"))
        who = [notice["other_agency"]] if owner else [own, notice["other_agency"]]
        table.add_row(notice["ref"], *who, notice["status"], str(notice["hits"]), "\n".join(lines))
    common.out.print(table)


def print_inbox(rows: list[dict[str, Any]], fmt: common.TableOrJson) -> None:
    """The inbox as `inbox` prints it, from hub.inbox_for's views (as dicts) or the API's rows."""
    if fmt is common.TableOrJson.json:
        common.write_json(rows)
        return
    table = Table("hit", "signal", "your item", "requested by", "status")
    for view in rows:
        table.add_row(
            view["ref"],
            f"{view['signal']} d={view.get('distance', 0)}",
            _named(view.get("own_caption"), view.get("own_schema"), view["own_entity"]),
            view["other_agency"],
            view["status"],
        )
    common.out.print(table)


def inbox(
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
    hub_url: remote.HubUrl = None,
    view: ViewOption = None,
    detail: DetailOption = False,
) -> None:
    """Notices: another agency's item hit your data, one notice per requesting item, your
    matched items by name; release or decline a notice (N-…) or an item (HIT-…).

    A table shows the notices; `--format json` the per-signal rows (as before),
    `--view notices` the notices as JSON; `--detail` the per-signal rows in a table.
    """
    grouped = _grouped(view, detail, fmt)
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        if grouped:
            print_notices(target.get("/notices/inbox"), fmt)
        else:
            print_inbox(target.get("/inbox"), fmt)
        return
    case_store, who = _acting("inbox", agency, token_file)
    assert who.agency is not None
    if grouped:
        notices = hub.notice_inbox_for(case_store, who.agency, who.actor)
        print_notices([asdict(n) for n in notices], fmt)
        return
    views = hub.inbox_for(case_store, who.agency, who.actor)
    print_inbox([dict(view.__dict__) for view in views], fmt)


@hit_app.command("release")
def hit_release(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    hub_url: remote.HubUrl = None,
) -> None:
    """Release the matched item (HIT-…) or every pending item of a notice (N-…) to the
    requesting agency, each within its handling code."""
    if ref.startswith(hub.NOTICE_PREFIX):
        _decide_notice(ref, True, agency, token_file, hub_url)
        return
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        decided = target.post(f"/hits/{quote(ref, safe='')}/release")
        common.out.print(f"{ref}: released to {decided['agency']}")
        return
    case_store, who = _acting("decide", agency, token_file)
    assert who.agency is not None
    decided = hub.decide(case_store, ref, who.agency, release=True, actor=who.actor)
    common.out.print(f"{ref}: released to {decided.agency}")


@hit_app.command("decline")
def hit_decline(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    hub_url: remote.HubUrl = None,
) -> None:
    """Decline a hit (HIT-…) or every pending item of a notice (N-…): the requester keeps
    seeing only that a hit exists."""
    if ref.startswith(hub.NOTICE_PREFIX):
        _decide_notice(ref, False, agency, token_file, hub_url)
        return
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        decided = target.post(f"/hits/{quote(ref, safe='')}/decline")
        common.out.print(f"{ref}: declined for {decided['agency']}")
        return
    case_store, who = _acting("decide", agency, token_file)
    assert who.agency is not None
    decided = hub.decide(case_store, ref, who.agency, release=False, actor=who.actor)
    common.out.print(f"{ref}: declined for {decided.agency}")


def _decide_notice(
    ref: str, release: bool, agency: str | None, token_file: Path | None, hub_url: str | None
) -> None:
    verb = "release" if release else "decline"
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        decided = target.post(f"/notices/{quote(ref, safe='')}/{verb}")
    else:
        case_store, who = _acting("decide", agency, token_file)
        assert who.agency is not None
        notice = hub.decide_notice(case_store, ref, who.agency, release=release, actor=who.actor)
        decided = asdict(notice)
    done = sum(
        item["status"] == ("released" if release else "declined") for item in decided["items"]
    )
    to = "to" if release else "for"
    common.out.print(
        f"{ref}: {done} of {len(decided['items'])} item(s) {verb}d {to} "
        f"{decided['other_agency']}; notice {decided['status']}"
    )


@hit_app.command("acknowledge")
def hit_acknowledge(
    ref: Annotated[str, typer.Argument(help="Hit reference")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    hub_url: remote.HubUrl = None,
) -> None:
    """Acknowledge the provider's H3 restriction on a released hit; then its item shows."""
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        done = target.post(f"/hits/{quote(ref, safe='')}/acknowledge")
        common.out.print(f"{ref}: restriction acknowledged: {done['acknowledged']}")
        return
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
    password_out: Annotated[
        Path | None,
        typer.Option(help="Write a generated first workbench password to this file (mode 600)"),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the workbench password from the first line of stdin")
    ] = False,
) -> None:
    """Create a user with an API token; only the token's HMAC-SHA-256 (keyed) is stored.

    With --password-out or --password-stdin the user also gets a password for the
    workbench's log-in (stored as argon2id); without, `user passwd` gives one later.
    """
    if password_out is not None and password_stdin:
        raise InvalidData("give --password-out or --password-stdin, not both")
    password = _stdin_password() if password_stdin else None
    if password_out is not None:
        password = workbench.new_password()
    if password is not None:
        workbench.check_password(password)  # refused before the user is made
    if password_out is not None and password_out.exists():
        raise InvalidData(f"{password_out}: a file is already there; it is never overwritten")
    settings = common.settings()
    case_store = common.store(create=True)
    number = hub.add_user(case_store, name, role, agency, token_out, settings=settings)
    common.out.print(
        f"user {name} ({role}{', ' + agency if agency else ''}), credential {number}: "
        f"token written to {token_out}"
    )
    if password is not None:
        workbench.set_password(case_store, number, password, password_out)
        where = f"written to {password_out}" if password_out else "set"
        common.out.print(f"workbench password {where}")


def _stdin_password() -> str:
    """The first line of stdin; asked twice, unseen, when stdin is a terminal."""
    if sys.stdin.isatty():
        typed: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        return typed
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("passwd")
def user_passwd(
    who: Annotated[str, typer.Argument(help="User name, or credential id (see `user list`)")],
    agency: Annotated[str | None, typer.Option(help="Look only among this agency's users")] = None,
) -> None:
    """Set a user's workbench password from stdin (first line); ends the user's sessions.

    It also lifts a lock after failed log-ins.
    """
    password = _stdin_password()
    workbench.check_password(password)
    case_store = common.store()
    number = workbench.credential_named(case_store, who, agency)
    workbench.set_password(case_store, number, password)
    common.out.print(f"credential {number}: workbench password changed; its sessions ended")


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
    import socket

    import uvicorn

    from crosscheck.web.app import create_app

    try:  # a port in use is the caller's to fix: one line, exit 2, before the hub starts
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise InvalidData(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} "
            "(another hub or program uses it? choose --port)"
        ) from exc

    shown = f"[{host}]" if ":" in host else host
    common.out.print(f"workbench: http://{shown}:{port}/  (API: http://{shown}:{port}/api/v1)")
    uvicorn.run(create_app(common.settings()), host=host, port=port, log_level="info")


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs due now, then exit (no waiting)")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", help="Exit after running this many jobs")
    ] = None,
    pause: Annotated[
        float,
        typer.Option(help="Seconds to wait when no job is due (PostgreSQL: until one is queued)"),
    ] = 1.0,
) -> None:
    """Take cross-check jobs from the hub's queue; any number may run beside `serve`.

    Each job is taken by one worker; a failed one is tried again after a back-off and
    marked failed (logged) after its last try; one left by a dead worker is taken again.
    On PostgreSQL an idle worker wakes as soon as a job is queued (LISTEN/NOTIFY);
    on SQLite it looks again every --pause seconds.
    """
    from crosscheck.store.job_bell import JobBell

    if jobs is not None and jobs < 1:
        raise InvalidData(f"--jobs must be 1 or more, got {jobs}")
    case_store = common.store()
    bell = JobBell()
    if not once:
        bell.listen(case_store.engine)
    done = 0
    try:
        while jobs is None or done < jobs:
            ran = hub.run_jobs(case_store, limit=10 if jobs is None else min(10, jobs - done))
            done += ran
            if ran == 0:
                if once:
                    break
                bell.wait(pause)
    except KeyboardInterrupt:
        pass
    finally:
        bell.close()
    common.out.print(f"{done} job{'' if done == 1 else 's'} run")


def submit(
    package: Annotated[Path, typer.Argument(help="Contribution package (.zip)")],
    hub_url: remote.HubUrl = None,
    agency_key: AgencyKey = None,
    agency: AgencyOption = None,
    token_file: common.TokenFile = None,
) -> None:
    """Sign a package and upload it to the hub, streamed (never held whole in memory)."""
    key = Path(_needed("agency_key", agency_key, "--agency-key FILE"))
    name = _needed("agency", agency, "--agency")
    target = remote.hub_for(hub_url, name, token_file, explicit=True)
    assert target is not None
    with tempfile.TemporaryDirectory(prefix="crosscheck-submit-") as folder:
        signed = Path(folder) / package.name  # the user's file is never rewritten
        sign_package(package, load_key(key), name, out=signed)

        def chunks() -> Iterator[bytes]:
            with signed.open("rb") as stream:
                while block := stream.read(1 << 20):
                    yield block

        try:
            body = target.upload("/contributions", chunks())
        except remote.RemoteError as exc:
            raise remote.RemoteError(f"{package}: {exc.message}", exc.status) from exc
    if body["created"]:
        common.out.print(f"{package}: stored as {body['contribution']}; cross-check queued")
    else:  # nothing new was stored, so no cross-check was queued
        common.out.print(f"{package}: already held as {body['contribution']}; nothing new")
