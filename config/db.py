"""Database helpers for the statements every request or intake runs (PostgreSQL; elsewhere the ORM's way).

* ``prepared_cursor``: Django's psycopg cursors bind parameters on the client, so PostgreSQL parses and
  plans each statement anew. For intake's duplicate search on the case table (33 indexes to weigh)
  planning cost five times what running it does, for the access policy's membership look-up (every
  request) four times. These statements run on a server-binding cursor that prepares each on its first
  use on a connection, and then only executes it (connections persist: ``CONN_MAX_AGE``). Through
  Django's cursor wrapper, so errors are Django's; while queries are logged they run unprepared, so the
  tests' query counts still see them.
* ``insert_columns``: a model's INSERT columns found once, for statements that write several rows at once.
* ``widen_statement_cache``: psycopg's cache of parsed statements, wide enough for a case's 73 columns.
"""
import functools
from contextlib import contextmanager

from django.db import connection, connections, models

try:
    import psycopg
except ImportError:  # SQLite-only installs
    psycopg = None


if psycopg is not None:
    class _PreparingCursor(psycopg.Cursor):
        """psycopg prepares a statement only past its ``prepare_threshold`` (which Django turns off);
        these cursors ask for it on every execute."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


@contextmanager
def prepared_cursor():
    """A cursor whose statements are prepared once per connection (PostgreSQL), for fixed hot SQL only:
    each distinct text stays prepared on the connection (psycopg keeps the last 100)."""
    db = connections[connection.alias]  # the connection itself, not the proxy that looks it up on each use
    if db.vendor != "postgresql" or psycopg is None or db.queries_logged:
        # while queries are logged (DEBUG, the tests' query counts) the same statement runs unprepared:
        # psycopg keeps no text of a prepared execution for the log to show
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = _PreparingCursor(db.connection)
    wrapped = db.make_cursor(raw)
    try:
        yield wrapped
    finally:
        raw.close()


# --- inserts written once per model -------------------------------------------------------

class InsertColumns:
    """A model's insertable columns (all concrete ones but an automatic primary key) and their SQL, found
    once: the ORM works them out, and compiles the INSERT, on every save."""

    def __init__(self, model, without: str | None = None):
        self.model = model
        self.table = connection.ops.quote_name(model._meta.db_table)
        meta = model._meta
        if meta.parents or any(f.db_default is not models.NOT_PROVIDED for f in meta.local_concrete_fields):
            raise ValueError(f"{model.__name__}: inherited tables and database defaults are left to the ORM")
        # as the ORM inserts a row whose primary key is left to the database: without the automatic key
        # and the generated columns
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated
                       and f.name != without]
        self.names = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.marks = "(" + ", ".join(["%s"] * len(self.fields)) + ")"

    def values(self, instance) -> list:
        """What ``save(force_insert=True)`` would write for ``instance`` (each field's ``pre_save`` run).
        Prepared against the connection itself, as the ORM's compiler does: through ``django.db.connection``
        (a proxy) every field's adapting looked the connection up again, a hundred look-ups per intake."""
        db = connections[connection.alias]
        return [field.get_db_prep_save(field.pre_save(instance, True), db) for field in self.fields]


@functools.cache
def insert_columns(model, *, without: str | None = None) -> InsertColumns:
    """``model``'s insertable columns, but ``without`` (a foreign key the statement fills in itself)."""
    return InsertColumns(model, without)


def mark_saved(instance, pk) -> None:
    """``instance`` as ``save()`` leaves it once written with primary key ``pk``."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


# --- psycopg's statement cache --------------------------------------------------------------

# psycopg caches how it splits a statement into its parameters only for statements of up to 50 of them
# (a guard against caching one-off bulk inserts of thousands). A case has 73 columns: every INSERT and
# full UPDATE of one was split again with a regular expression, a third of its client-side cost. The
# cache keeps its 128 entries; statements of up to 200 parameters may now take one.
STATEMENT_CACHE_MAX_PARAMS = 200


def widen_statement_cache() -> None:
    try:
        from psycopg import _queries
    except ImportError:
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None) is not None:
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_CACHE_MAX_PARAMS)
