"""`crosscheck demo`: the main job on the embedded default, end to end on sample data."""

from __future__ import annotations

from crosscheck.cli import common
from crosscheck.cli.stats_cmd import print_summary
from crosscheck.service import import_package
from crosscheck.service.sample import write_sample_package


def demo() -> None:
    """Write a benign sample contribution, import it, and print the case summary."""
    settings = common.settings()
    case_store = common.store(create=True)
    path = settings.home / "samples" / "sample-contribution.zip"
    write_sample_package(path)
    common.out.print(f"sample package written: {path}")
    done = import_package(case_store, path, settings)
    state = "imported" if done.result.created else "already held"
    common.out.print(f"{state}: {done.manifest.contribution.id}")
    print_summary(case_store)
