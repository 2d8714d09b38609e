import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cases import services
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs  # noqa: F401

NOW = dt.datetime(2026, 7, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """The anonymous rate limit counts in the shared cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def pinned_time():
    """Acts read the clock: the API tests run two days after the fixtures' petitions arrived."""
    import time_machine

    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    return World()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def complaint(world):
    return services.case_intake(**complaint_kwargs(world, start_process=True)).case


@pytest.fixture
def denunciation(world):
    return services.case_intake(**denunciation_kwargs(world, start_process=True)).case
