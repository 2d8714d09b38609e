"""The transactional outbox: written with the act, sent once, dead-lettered, quiet at night, never leaking a denouncer."""
import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from cases import services
from cases.models import Case
from notifications import delivery, digests, templating
from notifications.models import Audience, Channel, Contact, Escalation, Notification
from notifications.outbox import sms_not_before
from organisation.models import Role
from tests.cases.conftest import complaint_kwargs, denunciation_kwargs
from tests.factories import aware, member

pytestmark = pytest.mark.django_db
D = dt.date
RECEIVED = D(2026, 7, 6)  # a Monday
DENOUNCER = {"full_name": "Trần Thị Bích", "id_number": "001190004567", "phone": "0912345678",
             "address": "Số 7 ngõ Hoa Sữa, thôn Đông"}


@pytest.fixture(autouse=True)
def outbox_settings(settings, tmp_path):
    settings.SMS_BACKEND = "notifications.channels.FileSmsGateway"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    return settings


def sms_sent(settings):
    path = settings.SMS_FILE_DIR / "sms.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_rolled_back_act_leaves_no_notification(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.case_intake(**complaint_kwargs(world))
            assert Notification.objects.filter(template_key="receipt").exists()  # written with the act…
            raise RuntimeError("the request failed after the act")
    assert not Notification.objects.exists() and callbacks == []  # …and gone with it, nothing queued


def test_the_receipt_is_written_with_the_intake_and_sent_once(world, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        case = services.case_intake(**complaint_kwargs(world, now=aware(RECEIVED, 10))).case
    note = Notification.objects.get(case=case)
    assert (note.template_key, note.channel, note.audience, note.state) == ("receipt", "sms", "petitioner", "pending")
    assert len(callbacks) == 1  # queued once committed
    assert "0900000001" not in json.dumps(note.context)  # the address is kept apart, encrypted
    assert delivery.deliver(note.pk, now=aware(RECEIVED, 10)) == delivery.SENT
    assert delivery.deliver(note.pk, now=aware(RECEIVED, 10)) == delivery.SKIPPED  # a redelivered task
    sent = sms_sent(settings)
    assert len(sent) == 1 and sent[0]["to"] == "0900000001" and case.tracking_code in sent[0]["text"]
    assert sent[0]["key"] == note.delivery_key


def test_quiet_hours_defer_an_sms_to_the_next_working_morning(world, settings):
    morning = lambda day: aware(day, 7)  # noqa: E731
    assert sms_not_before(aware(RECEIVED, 10)) is None
    assert sms_not_before(aware(RECEIVED, 22)) == morning(D(2026, 7, 7))
    assert sms_not_before(aware(RECEIVED, 5)) == morning(RECEIVED)
    assert sms_not_before(aware(D(2026, 7, 10), 21)) == morning(D(2026, 7, 13))  # Friday night → Monday
    assert sms_not_before(aware(D(2026, 7, 11), 10)) == morning(D(2026, 7, 13))  # Saturday
    assert sms_not_before(aware(D(2026, 9, 1), 10)) == morning(D(2026, 9, 3))  # National Day (1–2/9 in 2026)
    saturday_night = aware(D(2026, 7, 11), 23)
    case = services.case_intake(**complaint_kwargs(world, received=D(2026, 7, 11), now=saturday_night)).case
    note = Notification.objects.get(case=case, channel=Channel.SMS)
    assert note.not_before == morning(D(2026, 7, 13))
    with time_machine.travel(aware(D(2026, 7, 13), 6), tick=False):
        assert delivery.deliver_pending(now=aware(D(2026, 7, 13), 6)) == {}
        assert delivery.deliver(note.pk, now=aware(D(2026, 7, 13), 6)) == delivery.DEFERRED
    assert sms_sent(settings) == []
    assert delivery.deliver_pending(now=morning(D(2026, 7, 13))) == {"sent": 1}
    assert len(sms_sent(settings)) == 1


def test_a_failing_channel_is_retried_with_backoff_then_dead_and_resent_from_the_admin(world, settings, client):
    settings.SMS_BACKEND = "notifications.channels.HttpSmsGateway"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # nothing listens there
    case = services.case_intake(**complaint_kwargs(world, now=aware(RECEIVED, 10))).case
    note = Notification.objects.get(case=case)
    now = aware(RECEIVED, 10)
    assert delivery.deliver(note.pk, now=now) == delivery.RETRY
    note.refresh_from_db()
    assert note.attempts == 1 and note.not_before == now + dt.timedelta(seconds=30) and "SMS gateway" in note.last_error
    assert delivery.deliver_pending(now=now) == {}  # backing off
    assert delivery.deliver_pending(now=now + dt.timedelta(minutes=1)) == {"retry": 1}
    assert delivery.deliver_pending(now=now + dt.timedelta(hours=1)) == {"dead": 1}
    note.refresh_from_db()
    assert (note.state, note.attempts) == ("dead", 3)
    admin_user = member(world.province, Role.ADMIN, "quantri")
    admin_user.is_staff = True
    admin_user.save()
    world.head.is_staff = True
    world.head.save()
    client.force_login(world.head)
    assert client.get("/admin/notifications/notification/").status_code == 403  # only the system administrator
    client.force_login(admin_user)
    page = client.get("/admin/notifications/notification/", {"state__exact": "dead"})
    assert page.status_code == 200 and "receipt" in page.content.decode()
    assert "0900000001" not in page.content.decode()
    settings.SMS_BACKEND = "notifications.channels.FileSmsGateway"
    response = client.post("/admin/notifications/notification/",
                           {"action": "resend", "_selected_action": [note.pk]})
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.state, note.attempts) == ("pending", 0)
    assert delivery.deliver(note.pk, now=now + dt.timedelta(hours=2)) == delivery.SENT
    assert len(sms_sent(settings)) == 1


def identity_values(case: Case) -> list[str]:
    values = []
    for row in case.petitioners.values("full_name", "id_number", "phone", "address"):
        values += [v for v in row.values() if v]
    return values


def test_the_accused_is_told_what_the_law_gives_and_nothing_of_the_denouncer(world):
    kwargs = denunciation_kwargs(world, petitioners=[DENOUNCER], complexity="complex", complexity_grounds="Nhiều nơi",
                                 content=f"Tôi là {DENOUNCER['full_name']}, ở {DENOUNCER['address']}, "
                                         f"điện thoại {DENOUNCER['phone']}, tố cáo cán bộ địa chính nhận tiền.")
    case = services.case_intake(**kwargs).case
    Contact.objects.create(case=case, audience=Audience.ACCUSED, email="bi-to-cao@example.vn", phone="0987000111")
    Contact.objects.create(case=case, audience=Audience.PETITIONER, email="nguoi-to-cao@example.vn")
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    services.case_start_verification(case=case, actor=world.handler, now=aware(D(2026, 7, 9)))
    services.case_suspend(case=case, actor=world.head, ground="await_expert", grounds="Chờ giám định.",
                          now=aware(D(2026, 7, 10)))
    services.case_resume(case=case, actor=world.head, ground="result_received", now=aware(D(2026, 7, 20)))
    services.case_extend(case=case, actor=world.head, grounds="Phức tạp.", days=10, now=aware(D(2026, 8, 3)))
    services.case_decide(case=case, actor=world.head, decision_number="1/KL-UBND", summary="Có vi phạm.",
                         now=aware(D(2026, 8, 20)))
    to_accused = Notification.objects.filter(case=case, audience=Audience.ACCUSED)
    assert set(to_accused.values_list("template_key", flat=True)) == {
        "accused_acceptance", "accused_suspension", "accused_resumption", "accused_extension", "accused_conclusion"}
    assert set(to_accused.values_list("channel", flat=True)) == {"email", "sms"}
    secrets = identity_values(case)
    assert len(secrets) == 4
    mail.outbox.clear()
    for note in to_accused:
        assert delivery.deliver(note.pk, now=aware(D(2026, 8, 20), 10)) == delivery.SENT
        note.refresh_from_db()
        texts = [json.dumps(note.context, ensure_ascii=False), note.subject, note.body]
        for text in texts:
            for secret in secrets:
                assert secret.lower() not in text.lower(), (note.template_key, secret)
    accused_mail = [m for m in mail.outbox if m.to == ["bi-to-cao@example.vn"]]
    assert len(accused_mail) == 5
    for message in accused_mail:
        whole = message.message().as_string()
        body = message.body + message.subject + "".join(str(a[0]) for a in message.alternatives)
        for secret in secrets:
            assert secret.lower() not in body.lower() and secret not in whole
    acceptance = to_accused.get(template_key="accused_acceptance", channel="email")
    assert "cán bộ địa chính nhận tiền" in acceptance.body and case.tracking_code in acceptance.subject
    # the denouncer is told the same events (conclusion, not "decision"), and the handler his task
    to_denouncer = set(Notification.objects.filter(case=case, audience=Audience.PETITIONER)
                       .values_list("template_key", flat=True))
    assert {"receipt", "acceptance", "suspension", "resumption", "extension", "conclusion"} <= to_denouncer
    assert "decision" not in to_denouncer
    assigned = Notification.objects.filter(case=case, template_key="task_assigned")
    assert {(n.channel, n.recipient_id) for n in assigned} == {("inapp", world.handler.pk)}  # no e-mail address


def test_the_handler_reads_his_task_in_app_with_the_header_count(world, client):
    case = services.case_intake(**complaint_kwargs(world)).case
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    note = Notification.objects.get(case=case, template_key="task_assigned")
    delivery.deliver(note.pk, now=aware(D(2026, 7, 8)))
    client.force_login(world.handler)
    home = client.get("/").content.decode()
    assert 'aria-label="' in home and ">1<" in home
    page = client.get(reverse("notification_list")).content.decode()
    assert case.tracking_code in page
    client.post(reverse("notification_mark_read"))
    note.refresh_from_db()
    assert note.read_at is not None


def test_digests_one_per_person_and_the_chain_up_to_the_unit_above(world, settings, django_capture_on_commit_callbacks):
    settings.ESCALATE_ABOVE_AFTER_WORKING_DAYS = 2
    for user, email in ((world.head, "head@x.vn"), (world.handler, "handler@x.vn"),
                        (world.province_head, "tinh@x.vn")):
        user.email = email
        user.save()
    from cases.sla import sweep_sla
    from tests.cases.test_sla_sweep import make_case

    monday = D(2026, 7, 13)
    overdue = [make_case(world.commune, acceptance_due=monday - dt.timedelta(days=3), handler=world.handler)
               for _ in range(3)]
    due_soon = [make_case(world.commune, acceptance_due=monday + dt.timedelta(days=1)) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=aware(monday, 8))
    rows = {(e.recipient_id, e.reason): e.case_count for e in Escalation.objects.all()}
    # due soon goes to the handler (the heads when there is none), overdue to the head and the handler
    assert overdue and due_soon
    assert rows == {(world.head.pk, "overdue"): 3, (world.handler.pk, "overdue"): 3, (world.head.pk, "due_soon"): 2}
    # two working days later, still overdue: the province's head hears of it; one digest per person
    wednesday = aware(D(2026, 7, 15), 7)
    queued = digests.daily_digests(now=wednesday)
    notes = Notification.objects.filter(template_key="daily_digest")
    assert queued == notes.count() == 3
    by_user = {n.recipient_id: n.context for n in notes}
    assert by_user[world.head.pk]["total"] == 5 and len(by_user[world.head.pk]["items"]) == 2
    assert by_user[world.province_head.pk]["items"] == [{"unit": "Xã A", "count": 3, "reason": "overdue_above"}]
    assert digests.daily_digests(now=wednesday) == 0  # the same day again: nothing more
    assert not Escalation.objects.filter(delivered_at__isnull=True).exists()
    mail.outbox.clear()
    for note in notes:
        assert delivery.deliver(note.pk, now=wednesday) == delivery.SENT
    assert sorted(m.to[0] for m in mail.outbox) == ["handler@x.vn", "head@x.vn", "tinh@x.vn"]
    assert "3" in next(m.body for m in mail.outbox if m.to == ["tinh@x.vn"])


def test_the_sandbox_renders_plain_data_only():
    assert templating.render("{{ a|upper }} {{ b }}", {"a": "x", "b": "<b>"}) == "X &lt;b&gt;"
    for source in ("{% load static %}", "{% include 'base.html' %}", "{% url 'home' %}", "{% debug %}",
                   "{{ a|safe }}", "{% extends 'base.html' %}"):
        with pytest.raises(ValueError):
            templating.render(source, {"a": "x"})
    with pytest.raises(TypeError):
        templating.render("{{ case.pk }}", {"case": Case()})


def test_templates_are_edited_by_the_system_admin_with_a_preview(world, client):
    from notifications.models import MessageTemplate

    template = MessageTemplate.objects.get(key="receipt", language="vi")
    admin_user = member(world.province, Role.ADMIN, "quantri")
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    url = f"/admin/notifications/messagetemplate/{template.pk}/change/"
    page = client.get(url).content.decode()
    assert "KN-2026-000123" in page  # the preview, from sample data
    bad = client.post(url, {"key": "receipt", "language": "vi", "subject": "{% load static %}", "body": "x", "sms": ""})
    assert bad.status_code == 200 and "not valid" in bad.content.decode()
    ok = client.post(url, {"key": "receipt", "language": "vi", "subject": "Biên nhận {{ tracking_code }}",
                           "body": "Đã nhận.", "sms": ""})
    assert ok.status_code == 302


def test_an_sms_retried_into_the_night_waits_for_the_morning(world, settings):
    case = services.case_intake(**complaint_kwargs(world, now=aware(RECEIVED, 10))).case
    note = Notification.objects.get(case=case)
    night = aware(RECEIVED, 23)
    assert delivery.deliver(note.pk, now=night) == delivery.DEFERRED
    note.refresh_from_db()
    assert note.not_before == aware(D(2026, 7, 7), 7) and sms_sent(settings) == []


def test_the_http_sms_gateway_posts_with_the_token_and_the_delivery_key(settings):
    import http.server
    import threading

    from notifications.channels import DeliveryError, HttpSmsGateway

    received = []

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((dict(self.headers), body))
            self.send_response(500 if body["to"] == "0000" else 202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gateway = HttpSmsGateway(url=f"http://127.0.0.1:{server.server_port}/send", token="t0k", sender="UBND")
        gateway.send(to="0900000001", text="Xin chào", key="ev1:receipt:sms:p1")
        with pytest.raises(DeliveryError):
            gateway.send(to="0000", text="x", key="k")
    finally:
        server.shutdown()
    headers, body = received[0]
    assert body == {"to": "0900000001", "text": "Xin chào", "from": "UBND"}
    assert headers["Authorization"] == "Bearer t0k" and headers["Idempotency-Key"] == "ev1:receipt:sms:p1"


def test_the_heads_reminder_reaches_the_handler_in_app_with_the_message(world, client):
    case = services.case_intake(**complaint_kwargs(world)).case
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    services.case_remind(case=case, actor=world.head, message="Báo cáo tiến độ trước thứ Sáu.",
                         now=aware(D(2026, 7, 9)))
    note = Notification.objects.get(case=case, template_key="handler_reminder")
    assert (note.channel, note.recipient_id) == ("inapp", world.handler.pk)
    delivery.deliver(note.pk, now=aware(D(2026, 7, 9)))
    client.force_login(world.handler)
    page = client.get(reverse("notification_list")).content.decode()
    assert case.tracking_code in page and "Báo cáo tiến độ trước thứ Sáu." in page
