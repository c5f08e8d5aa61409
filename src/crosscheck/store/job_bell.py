"""What wakes an idle worker when a job is queued, instead of its next poll.

A worker with nothing to do waits on a :class:`JobBell` for at most its poll
interval. The bell rings:

- in the same process, when the code that queued the job calls :meth:`JobBell.ring`
  (``crosscheck serve`` rings its own worker thread for each stored contribution);
- on PostgreSQL, from any process: ``AccessStore.enqueue`` sends ``NOTIFY
  crosscheck_jobs`` in the queuing transaction (delivered once it commits), and a
  bell that :meth:`JobBell.listen`\\ s holds one connection of its own on ``LISTEN
  crosscheck_jobs`` in a thread and rings on each notification.

SQLite has no notifications between processes: a separate ``crosscheck worker``
there finds a job at its next poll. The poll stays on PostgreSQL too, as the
fallback for a notification lost with a dropped connection (the listener
reconnects after a pause) and for a job whose retry back-off has passed.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

JOB_CHANNEL = "crosscheck_jobs"  # NOTIFY channel of AccessStore.enqueue (per database)
RECONNECT_S = 5.0  # after the listening connection failed
_CHECK_S = 1.0  # how often the listener looks whether it should stop

_log = logging.getLogger("crosscheck.worker")


class JobBell:
    """An event a worker waits on between polls; rung in process or by PostgreSQL's NOTIFY."""

    def __init__(self) -> None:
        self._rung = threading.Event()
        self._closed = threading.Event()
        self._listener: threading.Thread | None = None
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait on it)

    def ring(self) -> None:
        """Wake the worker waiting (or the next one to wait) at once."""
        self._rung.set()

    def wait(self, timeout: float) -> bool:
        """Wait until rung or ``timeout`` seconds passed; True if rung. The ring is used up."""
        rung = self._rung.wait(timeout)
        self._rung.clear()
        return rung

    def listen(self, engine: Engine) -> None:
        """On PostgreSQL, ring on each ``NOTIFY crosscheck_jobs`` of the engine's database.

        Does nothing on SQLite. One thread and one connection of its own (outside the
        engine's pool) until :meth:`close`.
        """
        if engine.dialect.name != "postgresql" or self._listener is not None:
            return
        self._listener = threading.Thread(
            target=self._listen, args=(engine,), name="crosscheck-job-bell", daemon=True
        )
        self._listener.start()

    def close(self) -> None:
        """Stop listening (within about a second) and wake any waiter."""
        self._closed.set()
        self._rung.set()
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None

    def _listen(self, engine: Engine) -> None:
        while not self._closed.is_set():
            try:
                self._listen_once(engine)
            except Exception as exc:  # the poll carries on meanwhile; try again later
                self.listening.clear()
                _log.warning(
                    "listening for queued jobs failed (%s); polling until it is back",
                    exc.__class__.__name__,
                )
                self._closed.wait(RECONNECT_S)

    def _listen_once(self, engine: Engine) -> None:
        pooled = engine.raw_connection()
        driver: Any = pooled.driver_connection  # psycopg's own connection
        pooled.detach()  # this connection is the bell's own: never back into the pool
        try:
            driver.rollback()
            driver.autocommit = True
            driver.execute(f"LISTEN {JOB_CHANNEL}")
            self.listening.set()
            self.ring()  # anything queued before LISTEN took effect: look once
            while not self._closed.is_set():
                for _ in driver.notifies(timeout=_CHECK_S):
                    self.ring()
        finally:
            self.listening.clear()
            # the driver's own close: the pool's would first reset (roll back) a connection
            # the server may have dropped, and log that failure with its traceback
            try:
                driver.close()
            except Exception:  # a dead connection's close has nothing left to do
                _log.debug("closing the listening connection failed", exc_info=True)


__all__ = ["JOB_CHANNEL", "JobBell"]
