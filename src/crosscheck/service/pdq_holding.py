"""The hub's PDQ index over everything held, kept in step with the store.

One ``PdqFolder`` per store and process (under ``CaseStore.index_dir``, else in
memory). Before each cross-check it catches up: under the folder's lock it
takes in what another process saved, checks that the store still holds the
feed row it stopped at (else it starts again from the store: a rebuild), then
reads the feed rows above its watermark: an added contribution's PDQ hashes and
vPDQ frames are appended, an erased one is tombstoned. It saves what changed
and lets go of the lock; the search itself runs on this process's own copy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import islice

from crosscheck.index.hamming import from_hex
from crosscheck.index.pdq_folder import PdqFolder
from crosscheck.store import CaseStore
from crosscheck.store.index_feed import FeedEntry, IndexFeed, IndexRow

ADD_BATCH = 200  # contributions read from the store at a time while catching up

_open: dict[tuple[str, str], PdqFolder] = {}
_open_guard = threading.Lock()


def holding(store: CaseStore) -> PdqFolder:
    """This process's index for the store (opened once, then kept)."""
    key = (store.engine.url.render_as_string(hide_password=False), str(store.index_dir))
    with _open_guard:
        if key not in _open:
            _open[key] = PdqFolder(store.index_dir)
        return _open[key]


def catch_up(store: CaseStore, folder: PdqFolder) -> int:
    """Bring ``folder`` up to the store's feed (call it holding ``folder.locked()``); rows added."""
    folder.refresh()
    feed = IndexFeed(store.engine)
    if not feed.holds(folder.watermark, folder.nonce):
        folder.reset()  # the store is not the one the index was made from
    entries = feed.since(folder.watermark)
    if not entries:
        return 0
    before = len(folder)
    for batch in _batches(entries):
        adds = [e.contribution_id for e in batch if e.op == "add"]
        rows: dict[str, list[IndexRow]] = {c: [] for c in adds}
        for row in feed.rows(adds):
            rows[row.contribution_id].append(row)
        for entry in batch:
            if entry.op == "erase":
                folder.erase(entry.contribution_id)
                continue
            # an add later erased (and maybe stored again) has no rows, or the new ones
            found = rows.pop(entry.contribution_id, [])
            folder.add(
                entry.id,
                entry.contribution_id,
                entry.agency_id,
                [r.kind for r in found],
                [r.fingerprint_id for r in found],
                from_hex(r.value for r in found),
            )
    last = entries[-1]
    folder.advance(last.id, last.nonce)
    folder.save()
    return len(folder) - before


def _batches(entries: list[FeedEntry]) -> Iterator[list[FeedEntry]]:
    """Runs of feed rows, each naming a contribution at most once (the store's rows are read
    per run, and an id stored, erased and stored again must not take the later rows twice)."""
    iterator = iter(entries)
    while run := list(islice(iterator, ADD_BATCH)):
        start = 0
        seen: set[str] = set()
        for position, entry in enumerate(run):
            if entry.contribution_id in seen:
                yield run[start:position]
                start, seen = position, set()
            seen.add(entry.contribution_id)
        yield run[start:]
