"""How a database is named in messages: never with its password."""

from peewee import Database, PostgresqlDatabase


def describe(db: Database) -> str:
    """A human name for the open database, never showing a password."""
    if isinstance(db, PostgresqlDatabase):
        host = db.connect_params.get("host", "localhost")
        port = db.connect_params.get("port", 5432)
        return f"postgresql://{host}:{port}/{db.database}"
    return str(db.database)
