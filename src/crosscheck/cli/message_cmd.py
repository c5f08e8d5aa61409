"""`crosscheck message send|list|show`: the secure channel between agencies and the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.cli.hub_cmd import ActingAgency
from crosscheck.exc import InvalidData
from crosscheck.model import Evaluation, Handling
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
) -> None:
    """Send a message (sealed at rest) with its handling code and evaluation."""
    if (body is None) == (body_file is None):
        raise InvalidData("give the text with either --body or --body-file")
    text = body if body is not None else body_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    if len(evaluation) != 2:
        raise InvalidData(f"--evaluation is source and information, e.g. B2; got {evaluation!r}")
    try:
        marking = Handling.model_validate({"code": handling.upper(), "note": handling_note})
        grade = Evaluation.model_validate(
            {"source": evaluation[0].upper(), "information": evaluation[1]}
        )
    except ValueError as exc:
        raise InvalidData(f"handling or evaluation: {exc}") from exc
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


@message_app.command("list")
def list_(agency: ActingAgency = None, token_file: common.TokenFile = None) -> None:
    """Messages you sent or received, with acknowledgements."""
    table = Table("message", "thread", "from", "to", "subject", "handling", "eval", "sent", "read")
    case_store = common.store()
    who = common.acting(case_store, "message", agency, token_file, needs_agency=True)
    assert who.agency is not None
    for item in messages.inbox(case_store, who.agency, common.settings(), who.actor):
        read = ", ".join(f"{a}: {'yes' if at else 'no'}" for a, at in item.recipients.items())
        table.add_row(
            item.ref,
            item.thread,
            item.sender,
            ", ".join(item.recipients),
            item.subject,
            item.handling_code,
            item.evaluation,
            item.created_at.strftime("%Y-%m-%d %H:%M"),
            read,
        )
    common.out.print(table)


@message_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Message reference")],
    agency: ActingAgency = None,
    save_attachments: Annotated[
        Path | None, typer.Option(help="Write attachments to this folder")
    ] = None,
    token_file: common.TokenFile = None,
) -> None:
    """Read a message; reading it as a recipient acknowledges receipt."""
    case_store = common.store()
    who = common.acting(case_store, "message", agency, token_file, needs_agency=True)
    assert who.agency is not None
    shown = messages.show(case_store, common.settings(), ref, who.agency, who.actor)
    item = shown.message
    marking = item.handling_code + (f" ({item.handling_note})" if item.handling_note else "")
    common.out.print(
        common.styled(item.subject, "bold"), f" {item.ref} (thread {item.thread})", sep=" "
    )
    common.out.print(
        f"from {item.sender} to {', '.join(item.recipients)}; {marking}, {item.evaluation}"
    )
    if item.case_reference:
        common.out.print(f"case {item.case_reference}")
    common.out.print(shown.body)
    for name, data in shown.attachments.items():
        common.out.print(f"attachment: {name} ({len(data)} bytes)")
        if save_attachments is not None:
            save_attachments.mkdir(parents=True, exist_ok=True)
            (save_attachments / Path(name).name).write_bytes(data)
