"""Alembic environment: runs on the connection handed over by models.db,
or on RECTIFY_DATABASE_URL / the default settings when called from the
alembic command line (developers generating revisions)."""
from alembic import context

from models.schema import metadata

config = context.config


def run_on(connection):
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    from models.db import make_engine
    from models.settings import load_settings

    with make_engine(load_settings().database_url).begin() as own_connection:
        run_on(own_connection)
