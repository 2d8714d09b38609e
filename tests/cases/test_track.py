"""A citizen follows a petition with the receipt code and PIN — and sees nobody's identity."""
import datetime as dt
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from cases import selectors, services
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db

FAILED = "could not be shown"  # the one message of every failed look-up (English)


@pytest.fixture
def filed(world):
    result = services.case_intake(**denunciation_kwargs(world, content="Tôi, Nguyễn Văn A, tố cáo cán bộ X."))
    services.case_accept(case=result.case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    result.case.refresh_from_db()
    yield result
    cache.delete_many(selectors.tracking_keys(result.case.tracking_code, ""))


_addresses = []


def fresh_address():
    """A new client address, its counters dropped after the test (they live in Redis under CI)."""
    address = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    _addresses.append(address)
    return address


@pytest.fixture(autouse=True)
def _drop_address_counters():
    yield
    cache.delete_many([key for address in _addresses for key in selectors.tracking_keys("", address)]
                      + selectors.tracking_keys("NOSUCHCODE12", "") + selectors.tracking_keys("NOSUCHCODE22", ""))
    _addresses.clear()


@pytest.fixture
def client_address():
    """A fresh client address per test, so failure counters never leak between tests."""
    return fresh_address()


def post(address, **data):
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client.post("/track/", data)


def alert(response):
    found = re.search(r'<p class="errorlist" role="alert">(.*?)</p>', response.content.decode(), re.S)
    return found.group(1).strip() if found else ""


def wrong_pin(filed):
    return "000000" if filed.pin != "000000" else "111111"


def test_right_code_and_pin_show_status_due_date_and_history_without_identity(filed, client_address):
    case = filed.case
    page = post(client_address, code=case.tracking_code.lower(), pin=filed.pin)
    html = page.content.decode()
    assert page.status_code == 200
    with translation.override("en"):
        assert f'data-field="status">{case.get_status_display()}<' in html
    assert case.resolution_due.strftime("%d/%m/%Y") in html
    assert "Nguyễn Văn A" not in html and "Cán bộ địa chính" not in html and "tố cáo cán bộ X" not in html
    assert html.count("<li>") == 2  # intake, accept


@pytest.mark.parametrize("typed", [
    "{a}-{b}-{c}", "{a} {b} {c}", " {a}.{b}.{c} ", "{a}–{b}–{c}", "{lower}",
])
def test_codes_typed_with_spaces_dashes_dots_or_lower_case_are_found(filed, client_address, typed):
    code = filed.case.tracking_code
    typed = typed.format(a=code[:4], b=code[4:8], c=code[8:], lower=code.lower())
    page = post(client_address, code=typed, pin=f" {filed.pin[:3]} {filed.pin[3:]} ")
    assert page.status_code == 200 and 'id="result"' in page.content.decode()


def test_wrong_pins_lock_the_code_even_for_the_right_pin_from_anywhere(filed, client_address, settings):
    case = filed.case
    for _ in range(settings.TRACK_CODE_MAX_FAILURES):
        response = post(client_address, code=case.tracking_code, pin=wrong_pin(filed))
        assert response.status_code == 404
        assert 'id="result"' not in response.content.decode()
    assert post(client_address, code=case.tracking_code, pin=filed.pin).status_code == 404  # locked
    assert post(fresh_address(), code=case.tracking_code, pin=filed.pin).status_code == 404  # the code itself


def test_every_failure_gives_the_same_reply(world, filed, client_address, settings):
    """Unknown code, wrong PIN, locked code: one status, one message — no oracle of existence or lock."""
    other = services.case_intake(**denunciation_kwargs(world, content="Tố cáo khác.")).case
    try:
        unknown = post(client_address, code="NOSUCHCODE22", pin="123456")
        wrong = post(client_address, code=filed.case.tracking_code, pin=wrong_pin(filed))
        for _ in range(settings.TRACK_CODE_MAX_FAILURES):
            post(fresh_address(), code=other.tracking_code, pin="999999" if filed.pin != "999999" else "888888")
        locked = post(client_address, code=other.tracking_code, pin="123456")
        replies = [(r.status_code, alert(r)) for r in (unknown, wrong, locked)]
        assert {status for status, _ in replies} == {404}
        assert len({message for _, message in replies}) == 1 and FAILED in replies[0][1]
        assert not any('id="result"' in r.content.decode() for r in (unknown, wrong, locked))
    finally:
        cache.delete_many(selectors.tracking_keys(other.tracking_code, ""))


def test_a_success_does_not_count_as_a_failure(filed, client_address, settings):
    """A citizen who checks often is never locked out by their own right answers."""
    case = filed.case
    for _ in range(settings.TRACK_CODE_MAX_FAILURES - 1):
        post(client_address, code=case.tracking_code, pin=wrong_pin(filed))
    for _ in range(3):
        assert post(client_address, code=case.tracking_code, pin=filed.pin).status_code == 200
    post(client_address, code=case.tracking_code, pin=wrong_pin(filed))
    assert post(client_address, code=case.tracking_code, pin=filed.pin).status_code == 404  # the fifth miss locked it


def test_a_locked_code_does_not_lock_other_codes_for_the_same_client(world, filed, client_address, settings):
    """One citizen's misses behind a commune's NAT must not lock the commune out of its other petitions."""
    other = services.case_intake(**denunciation_kwargs(world, content="Tố cáo khác."))
    try:
        for _ in range(settings.TRACK_CODE_MAX_FAILURES + 3):
            post(client_address, code=filed.case.tracking_code, pin=wrong_pin(filed))
        assert post(client_address, code=filed.case.tracking_code, pin=filed.pin).status_code == 404
        page = post(client_address, code=other.case.tracking_code, pin=other.pin)
        assert page.status_code == 200 and 'id="result"' in page.content.decode()
    finally:
        cache.delete_many(selectors.tracking_keys(other.case.tracking_code, ""))


def test_the_client_address_is_locked_only_at_a_much_higher_threshold(filed, client_address, settings):
    settings.TRACK_CLIENT_MAX_FAILURES = 12
    assert settings.TRACK_CLIENT_MAX_FAILURES > settings.TRACK_CODE_MAX_FAILURES
    misses = 0
    try:
        while misses < settings.TRACK_CLIENT_MAX_FAILURES:  # one wrong guess on each of many codes
            assert post(client_address, code=f"GUESS{misses:07d}", pin="123456").status_code == 404
            misses += 1
        # past the client threshold: refused even with a right code and PIN, from this address only
        assert post(client_address, code=filed.case.tracking_code, pin=filed.pin).status_code == 404
        assert post(fresh_address(), code=filed.case.tracking_code, pin=filed.pin).status_code == 200
    finally:
        cache.delete_many([k for n in range(misses) for k in selectors.tracking_keys(f"GUESS{n:07d}", "")])


def test_default_thresholds_lock_codes_at_five_and_addresses_far_higher(settings):
    assert settings.TRACK_CODE_MAX_FAILURES == 5
    assert settings.TRACK_CLIENT_MAX_FAILURES >= 100
    assert settings.TRACK_LOCK_SECONDS == 3600


def test_tracking_pages_are_never_cached(filed, client_address):
    for response in (
        Client().get("/track/"),
        post(client_address, code=filed.case.tracking_code, pin=filed.pin),
        post(client_address, code="NOSUCHCODE22", pin="123456"),
    ):
        assert "no-store" in response["Cache-Control"]


def test_unknown_code_and_empty_form_never_500(client_address):
    assert post(client_address, code="NOSUCHCODE12", pin="123456").status_code == 404
    assert post(client_address, code="x" * 500, pin="1" * 500).status_code == 200  # form errors, nothing looked up
    assert post(client_address).status_code == 200  # form errors, nothing looked up
    assert Client().get("/track/").status_code == 200
