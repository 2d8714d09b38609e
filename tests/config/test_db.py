"""``config.db``: the hot statements prepared once per connection, inserts written once per model, and
psycopg's statement cache wide enough for a case's 73 columns."""
import concurrent.futures
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from api.models import IdempotentIntake
from api.views import _stored_intake
from cases import services
from cases.models import Case
from config.db import insert_columns, prepared_cursor
from tests.cases.conftest import World, complaint_kwargs


@pytest.fixture
def world(db):
    return World()


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _prepared() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}


@postgres_only
@pytest.mark.django_db
def test_intakes_statements_are_prepared_and_the_duplicate_search_plans_once(world):
    for n in range(8):  # PostgreSQL weighs a generic plan after five custom ones
        services.case_intake(**complaint_kwargs(world, start_process=True, petitioners=[
            {"full_name": f"Người {n}", "id_number": f"00109000{n:04d}", "phone": ""}]))
    prepared = _prepared()
    search = [counts for statement, counts in prepared.items() if "FROM cases_case c" in statement]
    membership = [counts for statement, counts in prepared.items() if "FROM organisation_membership m" in statement]
    assert search and membership, prepared
    # planned once, then only run
    assert search[0][0] >= 1, search
    # and the digests' "<> ''" lets that generic plan use the partial index on the digest (which a parameter
    # alone could not: it might be empty), as it must once the table is large
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT name, cardinality(parameter_types) FROM pg_prepared_statements "
                       "WHERE statement LIKE '%%FROM cases_case c%%'")
        name, arity = cursor.fetchone()
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN EXECUTE {name}({', '.join(['NULL'] * arity)})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "petitioner_id_dg_idx" in plan, plan
    assert any(statement.startswith('WITH p AS (INSERT INTO "viewflow_process"') for statement in prepared)


@postgres_only
@pytest.mark.django_db
def test_while_queries_are_logged_the_statement_runs_unprepared_and_shows_in_the_log():
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute("SELECT %s + 1", [41])
        assert cursor.fetchone() == (42,)
    assert queries.captured_queries[-1]["sql"] == "SELECT 41 + 1"
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s * 2", [21])
        assert cursor.fetchone() == (42,)
    assert any(statement == "SELECT $1 * 2" for statement in _prepared())


def test_psycopgs_statement_cache_takes_a_cases_insert():
    psycopg_queries = pytest.importorskip("psycopg._queries")
    assert psycopg_queries.MAX_CACHED_STATEMENT_PARAMS >= len(insert_columns(Case).fields) + 30


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_second_request_with_the_same_key_waits_for_the_first_and_finds_its_row(world):
    """``api_idempotency_claim``: the look-up after the lock sees the row the lock's holder committed."""
    case = services.case_intake(**complaint_kwargs(world)).case
    user = world.reception
    holding, done = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                assert _stored_intake(user, "same-key") is None
                row = IdempotentIntake.objects.create(user=user, key="same-key", body_hash="h", case=case,
                                                      status_code=201, pin="123456", created_at=case.received_at)
                holding.set()
                done.wait(5)
                time.sleep(0.3)  # the second request is waiting on the lock by now
            return row.pk
        finally:
            connections.close_all()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(first)
        assert holding.wait(10)
        with transaction.atomic():
            done.set()
            started = time.monotonic()
            found = _stored_intake(user, "same-key")
            waited = time.monotonic() - started
        first_pk = future.result(10)
    assert found is not None and found.pk == first_pk
    assert waited >= 0.2  # it waited for the first to commit rather than missing its row
