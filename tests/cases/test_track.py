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

from .conftest import complaint_kwargs, denunciation_kwargs

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
    assert 'data-field="status">Accepted for resolution<' in html  # the status in plain words
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


# --- what the page shows: the handling unit, the outcome, the right to appeal -------------

def on(month, day):
    return aware(dt.date(2026, month, day))


def decide(world, case, *, handler, head, day=30, number="45/QĐ-UBND", summary="Giữ nguyên quyết định bị khiếu nại."):
    """Accept, assign, verify and decide on ``day`` July 2026."""
    services.case_accept(case=case, actor=head, now=on(7, 8))
    services.case_assign(case=case, actor=head, handler=handler, now=on(7, 8))
    services.case_start_verification(case=case, actor=handler, now=on(7, 9))
    services.case_decide(case=case, actor=head, decision_number=number, summary=summary, now=on(7, day))
    case.refresh_from_db()
    return case


def post_lang(address, language, **data):
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = language
    return client.post("/track/", data).content.decode()


def field(html, name):
    found = re.search(rf'data-field="{name}">(.*?)<', html, re.S)
    return found.group(1).strip() if found else None


PETITIONER = {"full_name": "Trần Thị Bích Hạnh", "id_number": "079190001234", "phone": "0912345678",
              "address": "Số 7 đường Lê Lợi, thôn Đông"}


def assert_nobody_in(html, case, *people):
    """No petitioner value, no accused, no content, no officer's name or login anywhere in the page."""
    for value in PETITIONER.values():
        assert value not in html
    assert case.accused == "" or case.accused not in html
    assert case.content not in html
    for user in people:
        assert user.username not in html
        assert not user.get_full_name() or user.get_full_name() not in html


@pytest.fixture
def remote_staff(world):
    from organisation.models import Role
    from tests.factories import member

    return {"reception": member(world.remote_commune, Role.RECEPTION), "handler": member(world.remote_commune, Role.HANDLER),
            "head": member(world.remote_commune, Role.HEAD)}


def complaint(world, **overrides):
    result = services.case_intake(**complaint_kwargs(world, petitioners=[PETITIONER], **overrides))
    return result


def test_the_handling_unit_is_the_competent_one_else_the_receiving_one(world, client_address):
    own = complaint(world)
    sent_up = complaint(world, actor=world.province_reception, receiving_unit=world.province,
                        competent_unit=world.commune, respondent_number="9/QĐ-UBND")
    try:
        assert field(post(client_address, code=own.case.tracking_code, pin=own.pin).content.decode(), "unit") == "Xã A"
        html = post(client_address, code=sent_up.case.tracking_code, pin=sent_up.pin).content.decode()
        assert field(html, "unit") == "Xã A"  # competent, not the province that received it
    finally:
        cache.delete_many(selectors.tracking_keys(own.case.tracking_code, "")
                          + selectors.tracking_keys(sent_up.case.tracking_code, ""))


def test_a_decided_complaint_shows_its_number_summary_and_the_appeal_deadline(world, client_address):
    intake = complaint(world)
    case = decide(world, intake.case, handler=world.handler, head=world.head)
    try:
        response = post(client_address, code=case.tracking_code, pin=intake.pin)
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert field(html, "status") == "Decided: the decision was issued"
        assert field(html, "outcome-title") == "Decision on the complaint"
        assert field(html, "decision_number") == "45/QĐ-UBND"
        assert field(html, "decision_summary") == "Giữ nguyên quyết định bị khiếu nại."
        assert field(html, "decided_on") == "30/07/2026"
        assert 'data-field="resolution_due"' not in html  # moot once decided
        # By hand: Thu 30/07/2026 + 30 days = Sat 29/08; Mon 31/08 – Wed 02/09 are the National Day break.
        assert field(html, "appeal_due") == "03/09/2026"
        assert "within 30 days of receiving the decision" in html
        basis = field(html, "appeal-basis")
        assert "Art 33(1), Law on Complaints" in basis and "30 days from the day after 30/07/2026" in basis
        assert "Decision issued" in html and html.count("<li>") == 4  # intake, accept, verify, decide; never the assignment
        assert_nobody_in(html, case, world.reception, world.handler, world.head)
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, ""))


def test_in_a_remote_area_the_appeal_window_is_45_days(world, remote_staff, client_address):
    intake = services.case_intake(**complaint_kwargs(world, actor=remote_staff["reception"],
                                                     receiving_unit=world.remote_commune, petitioners=[PETITIONER]))
    assert intake.case.is_remote
    case = decide(world, intake.case, handler=remote_staff["handler"], head=remote_staff["head"])
    try:
        html = post(client_address, code=case.tracking_code, pin=intake.pin).content.decode()
        assert field(html, "appeal_due") == "14/09/2026"  # Thu 30/07 + 45 = Sun 13/09 -> Mon 14/09
        assert "within 45 days of receiving the decision" in html and "remote or hard-to-reach area" in html
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, ""))


def test_no_appeal_right_before_a_decision_nor_after_a_second_complaint(world, client_address):
    intake = complaint(world)
    case = intake.case
    try:
        html = post(client_address, code=case.tracking_code, pin=intake.pin).content.decode()
        assert field(html, "appeal_due") is None and field(html, "decision_number") is None
        decide(world, case, handler=world.handler, head=world.head)
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 3),
                             competent_unit=world.province, now=on(8, 3))
        html = post(client_address, code=case.tracking_code, pin=intake.pin).content.decode()
        assert field(html, "decision_number") == "45/QĐ-UBND"
        assert field(html, "appeal_due") is None
        assert field(html, "status") == "A second complaint was filed against the decision"
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, ""))


def test_a_denunciation_is_concluded_not_decided_in_both_languages(world, client_address):
    intake = services.case_intake(**denunciation_kwargs(world, petitioners=[PETITIONER]))
    case = decide(world, intake.case, handler=world.handler, head=world.head, number="12/KL-UBND",
                  summary="Tố cáo đúng một phần.")
    try:
        vi = post_lang(client_address, "vi", code=case.tracking_code, pin=intake.pin)
        assert field(vi, "outcome-title") == "Kết luận nội dung tố cáo"
        assert field(vi, "status") == "Đã kết luận"
        assert "Số kết luận" in vi and "Ban hành kết luận" in vi
        assert "quyết định giải quyết" not in vi.lower() and field(vi, "appeal_due") is None
        assert field(vi, "decision_number") == "12/KL-UBND" and field(vi, "decided_on") == "30/07/2026"
        en = post_lang(client_address, "en", code=case.tracking_code, pin=intake.pin)
        assert field(en, "outcome-title") == "Conclusion on the content of the denunciation"
        assert field(en, "status") == "Concluded" and "Conclusion issued" in en and "Decision" not in en
        for html in (vi, en):
            assert_nobody_in(html, case, world.reception, world.handler, world.head)
            assert "Cán bộ địa chính xã A" not in html  # the accused
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, ""))


def test_the_vietnamese_page_cites_the_law_in_vietnamese(world, client_address):
    intake = complaint(world)
    case = decide(world, intake.case, handler=world.handler, head=world.head)
    try:
        vi = post_lang(client_address, "vi", code=case.tracking_code, pin=intake.pin)
        basis = field(vi, "appeal-basis")
        assert "Điều 33(1) Luật Khiếu nại" in basis and "Art" not in basis
        assert field(vi, "appeal_due") == "03/09/2026" and "khởi kiện" in vi and "khiếu nại lần hai" in vi
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, ""))


def test_the_summary_prints_again_without_the_pin(world, client_address):
    intake = complaint(world)
    try:
        html = post(client_address, code=intake.case.tracking_code, pin=intake.pin).content.decode()
        assert intake.pin not in html
        assert 'data-print="a5"' in html and 'data-print="a4"' in html
        assert "PETITION RECEIPT (REPRINT)" in html and "@page { size: A5" in html
        assert re.search(r'<script src="[^"]*/js/print\.js" defer></script>', html)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    finally:
        cache.delete_many(selectors.tracking_keys(intake.case.tracking_code, ""))


def test_legal_citations_read_as_law_in_each_language():
    from cases.citizen import cite

    with translation.override("en"):
        assert cite("LKN Art 33(1)") == "Art 33(1), Law on Complaints"
        assert cite("TT 05/2021/TT-TTCP (MEMORY, medium confidence)") == "TT 05/2021/TT-TTCP"
    with translation.override("vi"):
        assert cite("LKN Art 33(1)") == "Điều 33(1) Luật Khiếu nại"
        assert cite("LTC Art 24(1)") == "Điều 24(1) Luật Tố cáo"
        assert cite("NĐ 155/2026 Art 10 (NĐ 124/2020 Art 16(1) as amended)") == \
            "NĐ 155/2026 Điều 10 (NĐ 124/2020 Điều 16(1) được sửa đổi)"
