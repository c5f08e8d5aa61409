"""`crosscheck resolve RECORDS|--store` and `crosscheck judgement add|list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exc import InvalidData
from crosscheck.resolve.cluster import DEFAULT_MAX_SIZE, DEFAULT_THRESHOLD
from crosscheck.service.resolution import (
    Resolution,
    ResolveOptions,
    judge,
    resolve_file,
    resolve_store,
)
from crosscheck.store.resolution_store import ResolutionStore

judgement_app = typer.Typer(
    help="Analyst judgements on resolved links: confirm, reject, unsure.", no_args_is_help=True
)


def _print(result: Resolution, fmt: str) -> None:
    if fmt == "jsonl":
        common.write_json_lines(result.rows)
        return
    table = Table(
        "record", "cluster", "size", "p", "strongest evidence", "review", title="resolution"
    )
    for row in result.rows:
        explanation = row["explanation"] or {}
        fields = explanation.get("fields") or []
        evidence = ", ".join(
            f"{f['field']} {f['level']} {f['match_weight']:+.1f}" for f in fields[:3]
        ) or str(explanation.get("rule") or explanation.get("judgement", {}).get("verdict", ""))
        if explanation and not explanation.get("linked"):
            evidence = f"(not linked) {evidence}"
        caption = row.get("caption")
        table.add_row(
            f"{caption} ({row.get('schema')})\n{row['id']}" if caption else row["id"],
            row["cluster"],
            str(row["cluster_size"]),
            f"{row['match_probability']:.3f}",
            evidence,
            "; ".join(row["review"]),
        )
    common.out.print(table)
    linked = sum(1 for c in result.clusters if len(c.members) > 1)
    flagged = sum(1 for c in result.clusters if c.review)
    common.out.print(
        f"{len(result.rows)} records, {len(result.clusters)} clusters "
        f"({linked} with more than one record, {flagged} flagged for review)"
    )


def resolve(
    records: Annotated[
        Path | None,
        typer.Argument(
            help="A table of records (CSV with a header, or JSON lines)", dir_okay=False
        ),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Resolve the people and accounts held in the store")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
    threshold: Annotated[
        float,
        typer.Option(help="Link records in one cluster at or above this probability", min=0, max=1),
    ] = DEFAULT_THRESHOLD,
    max_size: Annotated[
        int, typer.Option(help="Flag clusters larger than this for review", min=2)
    ] = DEFAULT_MAX_SIZE,
    params: Annotated[
        Path | None,
        typer.Option(
            "--params", help="Trained parameters (default: the shipped ones)", dir_okay=False
        ),
    ] = None,
    train: Annotated[
        bool, typer.Option("--train", help="Estimate the parameters on these records (no labels)")
    ] = False,
    save_params: Annotated[
        Path | None, typer.Option(help="With --train: write the parameters here", dir_okay=False)
    ] = None,
    viewer: Annotated[
        str | None,
        typer.Option("--as", help="--store: only what this agency may see (hub)"),
    ] = None,
    token_file: common.TokenFile = None,
    export_splink_settings: Annotated[
        Path | None,
        typer.Option(
            help="Write the model (the shipped or --params parameters) as a Splink settings "
            "JSON file that plain Splink loads, and stop",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Resolve people and accounts into clusters, each record with its strongest evidence.

    jsonl: one {"id","cluster","match_probability","explanation"} object a
    record (with cluster_size and review flags). Judgements from
    `crosscheck judgement add` apply to every run.
    """
    if fmt not in ("table", "jsonl"):
        raise InvalidData(f"--format takes table or jsonl, got {fmt!r}")
    if export_splink_settings is not None:
        if records is not None or store or train:
            raise InvalidData("--export-splink-settings takes no RECORDS, --store or --train")
        _export_settings(export_splink_settings, params)
        return
    if (records is None) == (not store):
        raise InvalidData("give a RECORDS file or --store (one of them)")
    if save_params and not train:
        raise InvalidData("--save-params needs --train")
    if viewer and not store:
        raise InvalidData("--as applies to --store")
    options = ResolveOptions(threshold, max_size, params, train, save_params)
    case = common.store()
    if records is not None:
        result = resolve_file(records, options, ResolutionStore(case.engine).judgements())
    else:
        who = common.acting(case, "resolve", viewer, token_file)
        result = resolve_store(case, options, who.agency)
    _print(result, fmt)


def _export_settings(path: Path, params: Path | None) -> None:
    import orjson  # Splink is imported only when asked for

    from crosscheck.resolve import params as params_io
    from crosscheck.resolve.splink_run import splink_settings

    settings = splink_settings(params_io.load(params))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(settings, option=orjson.OPT_INDENT_2) + b"\n")
    tmp.replace(path)
    common.out.print(
        f"wrote Splink settings ({len(settings['comparisons'])} comparisons, "
        f"{len(settings['blocking_rules_to_generate_predictions'])} blocking rules) to {path}"
    )


@judgement_app.command("add")
def add(
    left: Annotated[str, typer.Argument(help="A record id")],
    right: Annotated[str | None, typer.Argument(help="The other record id (a pair)")] = None,
    verdict: Annotated[str, typer.Option(help="confirm, reject or unsure")] = "confirm",
    by: Annotated[str, typer.Option(help="Who judges (recorded with the time)")] = "",
    note: Annotated[str, typer.Option(help="Why")] = "",
    cluster: Annotated[
        str | None,
        typer.Option(help="Judge LEFT's membership of this cluster instead of a pair"),
    ] = None,
    viewer: Annotated[
        str | None, typer.Option("--as", help="The scope of that cluster (agency)")
    ] = None,
) -> None:
    """Confirm, reject or mark unsure a link, or a record's membership of a cluster."""
    if (right is None) == (cluster is None):
        raise InvalidData("give RIGHT (a pair) or --cluster (a membership), one of them")
    made = judge(common.store(), left, right, verdict, by, note, cluster, viewer or "")
    for item in made:
        common.out.print(f"{item.verdict} {item.left} ~ {item.right} by {item.by} at {item.at}")


@judgement_app.command("list")
def list_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
    viewer: Annotated[
        str | None, typer.Option("--as", help="Only the judgements made in this agency's scope")
    ] = None,
    token_file: common.TokenFile = None,
) -> None:
    """Every judgement, oldest first."""
    case = common.store()
    who = common.acting(case, "resolve", viewer, token_file)
    judgements = ResolutionStore(case.engine).judgements(who.agency)
    if fmt == "jsonl":
        common.write_json_lines(j.to_json() for j in judgements)
        return
    table = Table("left", "right", "verdict", "by", "at", "cluster", "note")
    for j in judgements:
        table.add_row(j.left, j.right, j.verdict, j.by, j.at, j.cluster, j.note)
    common.out.print(table)
