"""`crosscheck demo`: the operation replayed end to end, on benign generated material.

A video reported by AU is held by BE (2015, re-encoded) and FR (2019,
letterboxed); the message posted with it is in the Spanish of Spain; accounts
on three boards resolve to one person, whose social-network contact bears the
surname on the video's title card; the lead report goes to ES. Every step runs
through the real commands, a hub started on loopback, signed packages and the
hub's API (see :mod:`crosscheck.cli.demo_flow`).
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.cli.demo_flow import DemoRun, Step, play
from crosscheck.exc import InvalidData


def _say(step: Step) -> None:
    common.out.print(common.styled(f"{step.number:>2}. [{step.agency}] {step.text}", "bold"))


def _detail(text: str) -> None:
    for line in text.splitlines()[:12]:
        common.out.print(f"      {line}")


def _out_folder(out: Path | None) -> Path:
    if out is not None:
        if out.exists() and any(out.iterdir()):
            raise InvalidData(f"--out {out}: the folder is not empty; give a new one")
        return out
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    try:
        return Path(tempfile.mkdtemp(prefix=f"crosscheck-demo-{stamp}-", dir=Path.cwd()))
    except OSError:  # a read-only working folder: the system's temp folder
        return Path(tempfile.mkdtemp(prefix=f"crosscheck-demo-{stamp}-"))


def demo(
    seed: Annotated[
        int, typer.Option(help="Scenario seed: another seed, other names and media")
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for everything the demo writes (default: a new crosscheck-demo-* "
            "folder in the current directory)"
        ),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Leave the hub running with the workbench; print its logins"),
    ] = False,
) -> None:
    """Replay the operation end to end: four agencies, a hub, hits, release, analysis, the lead.

    Everything is generated and benign (shapes, invented names, everyday messages).
    """
    folder = _out_folder(out)
    started = time.monotonic()
    common.out.print(f"crosscheck demo, seed {seed}: writing everything under {folder}")
    run = play(seed, folder, _say, _detail, keep=keep)
    _summary(run, time.monotonic() - started, keep)


def _summary(run: DemoRun, seconds: float, keep: bool) -> None:
    common.out.print("")
    common.out.print(common.styled(f"Done in {seconds:.0f} s.", "bold"))
    if run.report_pdf is not None:
        common.out.print(f"The lead report for ES: {run.report_pdf}")
        common.out.print(f"  as HTML: {run.report_html}; its facts as JSON: {run.report_json}")
        common.out.print(f"  sent to ES as message {run.message_ref}; ES has read it")
    common.out.print(f"The agencies' folders (keys, tokens, stores): {run.out / 'agencies'}")
    common.out.print(f"The hub's store: {run.hub_home}; its log: {run.out / 'hub.log'}")
    if keep:
        common.out.print(f"The hub keeps running: open {run.url}/ and log in as")
        for agency, user, password in run.logins:
            common.out.print(f"  {agency}: {user!r}  password {password}")
        pid = run.process.pid if run.process is not None else "?"
        common.out.print(f"Stop it with: kill {pid}")
    else:
        common.out.print("The hub has stopped; nothing the demo started is left running.")
