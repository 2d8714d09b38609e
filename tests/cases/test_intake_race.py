"""Two submissions of the same intake form at once (a double click): real threads on PostgreSQL, one case."""
import threading
import time

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Case, IntakeSubmission

from .test_intake_view import URL, form_data, form_token, logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_posts_of_the_same_form_make_exactly_one_case(world, monkeypatch):
    assert connection.vendor == "postgresql"
    real = services.case_intake

    def slow_intake(**kwargs):
        result = real(**kwargs)
        time.sleep(0.3)  # the first request holds its transaction open while the second one arrives
        return result

    monkeypatch.setattr(services, "case_intake", slow_intake)
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client))
    cookie = client.cookies["sessionid"].value
    start = threading.Barrier(2, timeout=10)
    answers, errors = [], []

    def post():
        try:
            twin = logged_in(world.reception)
            twin.cookies["sessionid"] = cookie  # the same browser session, two requests in flight
            start.wait()
            answers.append(twin.post(URL, data))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Case.objects.count() == 1
    assert IntakeSubmission.objects.get().case == Case.objects.get()
    page = client.get(answers[0]["Location"])
    assert page.status_code == 200 and 'data-field="pin">' in page.content.decode()
