"""On PostgreSQL, for real: concurrent retries of an idempotent intake, and a connection lost mid-request."""
import concurrent.futures
import itertools

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from cases import services
from cases.models import Case, Petitioner
from tests.api.conftest import api_as
from tests.api.test_cases_api import intake_body

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="PostgreSQL only"),
]

KEYS, COPIES, WORKERS = 50, 4, 20


def test_200_parallel_posts_with_50_keys_each_retried_make_exactly_50_cases(world):
    user = world.reception
    # the copies of a key go out side by side (one per worker), so they race each other for the key
    keys = [f"portal-{n}" for n in range(KEYS) for _ in range(COPIES)]

    def worker(index):
        client, answers = api_as(user), []
        try:
            for key in keys[index::WORKERS]:
                response = client.post("/api/v1/cases/", intake_body(world, content=f"Đơn số {key}."),
                                       format="json", HTTP_IDEMPOTENCY_KEY=key)
                answers.append((key, response.status_code, response.json().get("id")))
        finally:
            connections.close_all()  # this thread's connection
        return answers

    answers = []
    for _wave in ("first", "retry"):
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            answers += [row for rows in pool.map(worker, range(WORKERS)) for row in rows]
    assert len(answers) == 2 * KEYS * COPIES
    assert Case.objects.count() == KEYS
    for key, rows in itertools.groupby(sorted(answers), key=lambda row: row[0]):
        rows = list(rows)
        assert {code for _k, code, _id in rows} == {201}, rows
        assert len({case_id for _k, _c, case_id in rows}) == 1, rows


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")},
                         autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_mid_request_is_a_503_with_nothing_half_written(world, monkeypatch):
    client = api_as(world.reception)
    real_intake = services.case_intake

    def intake_then_lose_the_connection(**kwargs):
        result = real_intake(**kwargs)  # the case and its petitioners are written, not yet committed
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        _terminate(pid)
        return result

    monkeypatch.setattr(services, "case_intake", intake_then_lose_the_connection)
    response = client.post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="drop-1")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable" and response["Retry-After"]
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0

    monkeypatch.setattr(services, "case_intake", real_intake)
    again = client.post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="drop-1")
    assert again.status_code == 201, again.content
    assert Case.objects.count() == 1
