"""Errors raised by crosscheck.

One root, few leaves; each leaf names what went wrong and carries structured
fields, and the HTTP status it maps to (for the hub's API)::

    CrosscheckError                 status 500
    ├── InvalidData                 status 400  bad values: a record, an entity, a fingerprint
    │   └── InvalidPackage          status 400  a contribution package that cannot be trusted
    ├── Forbidden                   status 403  not for this agency (said the same way as not found)
    ├── NotFound                    status 404  an id that names nothing held
    ├── Conflict                    status 409  an id already held with other content
    ├── NotInitialised              status 409  the store has no schema yet (run `crosscheck init`)
    └── BackendError                status 500  the database failed; carries the statement

The CLI maps ``InvalidData``, ``NotFound``, ``Conflict`` and ``NotInitialised``
to exit code 2 (bad input) and everything else to exit code 1.
"""

from __future__ import annotations

from collections.abc import Sequence


class CrosscheckError(Exception):
    """Root of every error crosscheck raises on purpose."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidData(CrosscheckError):
    """Input that does not satisfy the model: ``errors`` lists each problem."""

    status = 400

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors) or [message]


class InvalidPackage(InvalidData):
    """A contribution package refused before anything was stored.

    ``source`` names the package file, ``member`` the file inside it when the
    problem is in one member.
    """

    def __init__(self, source: str, problem: str, member: str | None = None) -> None:
        where = f"{source}!{member}" if member else source
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.member = member
        self.problem = problem


class Forbidden(CrosscheckError):
    """The caller may not see or do this."""

    status = 403


class NotFound(CrosscheckError):
    """Nothing is held under that id."""

    status = 404


class Conflict(CrosscheckError):
    """The id is already held, with different content."""

    status = 409


class NotInitialised(CrosscheckError):
    """The store exists but has no schema, or an older one."""

    status = 409


class BackendError(CrosscheckError):
    """The database refused or failed; ``statement`` is the SQL that failed, if known."""

    def __init__(self, message: str, statement: str | None = None) -> None:
        super().__init__(message)
        self.statement = statement
