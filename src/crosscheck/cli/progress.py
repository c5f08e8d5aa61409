"""A progress bar for long work: files done, files/s and MB/s, on stderr."""

from __future__ import annotations

import time
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crosscheck.cli import common


class FileProgress:
    """Counts files and bytes; draws only when stderr is a terminal."""

    def __init__(self, description: str, total_files: int | None) -> None:
        self.files = 0
        self.bytes = 0
        self.started = time.monotonic()
        self._progress = Progress(
            TextColumn("{task.description}", style="bold", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=common.err,
            disable=not common.err.is_terminal,
        )
        self._task = self._progress.add_task(description, total=total_files, rate="")

    def __enter__(self) -> FileProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def advance(self, size: int | None, *, counts_toward_total: bool = True) -> None:
        self.files += 1
        self.bytes += size or 0
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = f"{self.files / elapsed:,.0f} files/s  {self.bytes / elapsed / 1e6:,.1f} MB/s"
        self._progress.update(self._task, advance=1 if counts_toward_total else 0, rate=rate)
