"""alembic's environment: run against the connection handed over in config.attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from crosscheck.store.engine import make_engine
from crosscheck.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if isinstance(_connection, Connection):
    _run(_connection)
else:
    _url = context.config.get_main_option("sqlalchemy.url")
    if _url is None:
        raise RuntimeError("no sqlalchemy.url for the migration")
    with make_engine(_url).begin() as _conn:
        _run(_conn)
