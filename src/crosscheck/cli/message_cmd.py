"""`crosscheck message send|list|show`: the secure channel between agencies and the hub."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from pydantic import ValidationError
from rich.table import Table

from crosscheck.cli import common, remote
from crosscheck.cli.hub_cmd import ActingAgency
from crosscheck.exc import InvalidData
from crosscheck.model import Handling
from crosscheck.service import messages

message_app = typer.Typer(help="Secure messages between agencies.", no_args_is_help=True)


@message_app.command("send")
def send(
    to: Annotated[list[str], typer.Option("--to", help="Recipient agency (repeat for several)")],
    subject: Annotated[str, typer.Option(help="Subject")],
    handling: Annotated[str, typer.Option(help="H0, H1, H2 or H3")],
    evaluation: Annotated[str, typer.Option(help="Source and information grade, e.g. B2")],
    body: Annotated[str | None, typer.Option(help="The message text")] = None,
    body_file: Annotated[Path | None, typer.Option(help="Read the text from a file")] = None,
    handling_note: Annotated[str | None, typer.Option(help="Restrictions, for H3")] = None,
    thread: Annotated[str | None, typer.Option(help="Reply in this thread")] = None,
    case: Annotated[str | None, typer.Option(help="Case reference")] = None,
    attach: Annotated[list[Path] | None, typer.Option(help="A file to attach (repeat)")] = None,
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    hub: remote.HubUrl = None,
) -> None:
    """Send a message (sealed at rest) with its handling code and evaluation."""
    if (body is None) == (body_file is None):
        raise InvalidData("give the text with either --body or --body-file")
    text = body if body is not None else body_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    target = remote.hub_for(hub, agency, token_file)
    if target is not None:
        messages.grading(handling, handling_note, evaluation)  # refused here, in the same words
        files = []
        for path in attach or []:
            data = path.read_bytes()
            if len(data) > messages.MAX_ATTACHMENT_BYTES:
                raise InvalidData(
                    f"{path}: attachments are limited to {messages.MAX_ATTACHMENT_BYTES} bytes"
                )
            files.append({"name": path.name, "content_base64": base64.b64encode(data).decode()})
        sent = target.post(
            "/messages",
            {
                "to": to,
                "subject": subject,
                "body": text,
                "handling": handling.upper(),
                "handling_note": handling_note,
                "evaluation": evaluation.upper(),
                "thread": thread,
                "case_reference": case,
                "attachments": files,
            },
        )
        common.out.print(f"sent {sent['ref']} to {', '.join(sent['to'])}")
        return
    grade = common.evaluation_option(evaluation)
    try:
        marking = Handling.model_validate({"code": handling.upper(), "note": handling_note})
    except ValidationError as exc:
        raise InvalidData(common.validation_line(exc, {"code": "--handling"})) from exc
    case_store = common.store()
    who = common.acting(case_store, "message", agency, token_file, needs_agency=True)
    assert who.agency is not None
    ref = messages.send(
        case_store,
        common.settings(),
        sender=who.agency,
        actor=who.actor,
        recipients=to,
        subject=subject,
        body=text,
        handling=marking,
        evaluation=grade,
        thread=thread,
        case_reference=case,
        attachments=attach or [],
    )
    common.out.print(f"sent {ref} to {', '.join(to)}")


def print_messages(rows: list[dict[str, Any]]) -> None:
    """The message table, from :func:`crosscheck.service.messages.summary` rows (or the API's)."""
    table = Table("message", "thread", "from", "to", "subject", "handling", "eval", "sent", "read")
    for item in rows:
        read = ", ".join(f"{a}: {'yes' if at else 'no'}" for a, at in item["recipients"].items())
        table.add_row(
            item["ref"],
            item["thread"],
            item["sender"],
            ", ".join(item["recipients"]),
            item["subject"],
            item["handling"],
            item["evaluation"],
            datetime.fromisoformat(item["sent"]).strftime("%Y-%m-%d %H:%M"),
            read,
        )
    common.out.print(table)


@message_app.command("list")
def list_(
    agency: ActingAgency = None, token_file: common.TokenFile = None, hub: remote.HubUrl = None
) -> None:
    """Messages you sent or received, with acknowledgements."""
    target = remote.hub_for(hub, agency, token_file)
    if target is not None:
        print_messages(target.get("/messages"))
        return
    case_store = common.store()
    who = common.acting(case_store, "message", agency, token_file, needs_agency=True)
    assert who.agency is not None
    listed = messages.inbox(case_store, who.agency, common.settings(), who.actor)
    print_messages([messages.summary(item) for item in listed])


def print_message(item: dict[str, Any], body: str) -> None:
    """One message as ``message show`` prints it (attachments listed, not printed)."""
    note = item.get("handling_note")
    marking = item["handling"] + (f" ({note})" if note else "")
    common.out.print(
        common.styled(item["subject"], "bold"), f" {item['ref']} (thread {item['thread']})", sep=" "
    )
    common.out.print(
        f"from {item['sender']} to {', '.join(item['recipients'])}; {marking}, {item['evaluation']}"
    )
    if item.get("case_reference"):
        common.out.print(f"case {item['case_reference']}")
    common.out.print(body)
    for part in item["attachments"]:
        common.out.print(f"attachment: {part['name']} ({part['size']} bytes)")


def _save(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (Path(name).name or "attachment")).write_bytes(data)


@message_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Message reference")],
    agency: ActingAgency = None,
    save_attachments: Annotated[
        Path | None, typer.Option(help="Write attachments to this folder")
    ] = None,
    token_file: common.TokenFile = None,
    hub: remote.HubUrl = None,
) -> None:
    """Read a message; reading it as a recipient acknowledges receipt."""
    target = remote.hub_for(hub, agency, token_file)
    if target is not None:
        found = target.get(f"/messages/{quote(ref, safe='')}")
        print_message(found, found["body"])
        for part in found["attachments"] if save_attachments is not None else []:
            data = target.request(
                "GET", f"/messages/{quote(ref, safe='')}/attachments/{part['n']}"
            ).content
            _save(save_attachments, part["name"], data)  # type: ignore[arg-type]
        return
    case_store = common.store()
    who = common.acting(case_store, "message", agency, token_file, needs_agency=True)
    assert who.agency is not None
    shown = messages.show(case_store, common.settings(), ref, who.agency, who.actor)
    print_message(messages.summary(shown.message), shown.body)
    for name, data in shown.attachments.items() if save_attachments is not None else []:
        _save(save_attachments, name, data)  # type: ignore[arg-type]
