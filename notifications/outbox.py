"""Who gets what when an act is recorded: outbox rows written in the act's own transaction.

``on_act_recorded`` runs inside the act's transaction (``cases.events``):
the rows it writes commit or roll back with the act. After commit each row
is handed to Celery (``enqueue``); a broker outage is logged, never raised,
and the periodic ``deliver_pending`` task picks the row up later.

The context of a message is plain data chosen field by field. For the
accused (denunciations) it is built from a short allow-list with the
petition text redacted (``cases.identity.redacted_content``): nothing of the
denouncer's name, address, ID number or phone can reach them (LTC Arts 8(3),
29(3), 56).
"""
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Value

from cases.identity import redacted_content
from cases.models import Case
from deadlines import calendar, clock

from .models import Audience, Channel, Contact, Notification

logger = logging.getLogger(__name__)

# action → [(audience, template key)]; a decision is a conclusion for a denunciation.
RULES = {
    "intake": [(Audience.PETITIONER, "receipt")],
    "accept": [(Audience.PETITIONER, "acceptance"), (Audience.ACCUSED, "accused_acceptance")],
    "refuse": [(Audience.PETITIONER, "refusal")],
    "forward": [(Audience.PETITIONER, "forwarding")],
    "guide": [(Audience.PETITIONER, "guidance")],
    "schedule_dialogue": [(Audience.PETITIONER, "dialogue_invitation")],
    "suspend": [(Audience.PETITIONER, "suspension"), (Audience.ACCUSED, "accused_suspension")],
    "resume": [(Audience.PETITIONER, "resumption"), (Audience.ACCUSED, "accused_resumption")],
    "extend": [(Audience.PETITIONER, "extension"), (Audience.ACCUSED, "accused_extension")],
    "decide": [(Audience.PETITIONER, "decision"), (Audience.ACCUSED, "accused_conclusion")],
    "assign": [(Audience.STAFF, "task_assigned")],
    "remind": [(Audience.STAFF, "handler_reminder")],
}
DENUNCIATION = "denunciation"


def _day(value) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}" if value else ""


def _unit_name(case: Case) -> str:
    unit = case.competent_unit if case.competent_unit_id else case.receiving_unit
    return unit.name if unit else ""


def base_context(case: Case, event) -> dict:
    """What every audience may read: the case's code, kind, unit, the act's date and legal basis."""
    return {
        "tracking_code": case.tracking_code,
        "kind": str(case.get_kind_display()),
        "unit": _unit_name(case),
        "date": _day(clock.legal_date(event.at)),
        "legal_basis": event.legal_basis or "",
        "resolution_due": _day(case.resolution_due),
        "days": (event.payload or {}).get("days") or "",
        "decision_number": (event.payload or {}).get("decision_number") or "",
    }


def petitioner_context(case: Case, event) -> dict:
    payload = event.payload or {}
    scheduled = payload.get("scheduled_at")
    return {
        **base_context(case, event),
        "reason": case.status_reason or payload.get("reason") or payload.get("instructions") or "",
        "to_body": payload.get("to_body") or "",
        "place": payload.get("place") or "",
        "dialogue_at": (f"{clock.legal_date(dt.datetime.fromisoformat(scheduled)):%d/%m/%Y} "
                        f"{dt.datetime.fromisoformat(scheduled).astimezone(clock.legal_zone()):%H:%M}"
                        if scheduled else ""),
    }


def accused_context(case: Case, event) -> dict:
    """An allow-list: the case's facts and the redacted petition text, nothing of the denouncer."""
    return {**base_context(case, event), "content": redacted_content(case)}


def sms_not_before(moment: dt.datetime) -> dt.datetime | None:
    """Quiet hours: an SMS written at night or on a non-working day waits for the next working morning."""
    if not settings.NOTIFICATIONS_QUIET_HOURS:
        return None
    local = moment.astimezone(clock.legal_zone())
    start, end = settings.NOTIFICATIONS_SMS_HOURS
    day = local.date()
    if calendar.is_working_day(day) and start <= local.hour < end:
        return None
    if calendar.is_working_day(day) and local.hour < start:
        target = day
    else:
        target = calendar.next_working_day_on_or_after(day + dt.timedelta(days=1))
    return dt.datetime.combine(target, dt.time(start), tzinfo=clock.legal_zone())


def _addresses(case: Case, audience: str, *, with_contacts: bool) -> list[tuple[str, str, str]]:
    """(channel, address, id for the delivery key) of a party: the petitioners still in the case (their
    phones) and the party's contacts, in one query."""
    # Contacts first: a union reads every row with its first query's columns, and both are decrypted there.
    # No ORDER BY in either part: SQLite refuses one inside a compound statement (the models' default ordering).
    def contacts():
        return Contact.objects.filter(case=case, audience=audience).order_by().annotate(kind=Value("c")).values_list(
            "kind", "pk", "email", "phone")

    kept = getattr(case, "_prefetched_objects_cache", {}).get("petitioners")
    if audience == Audience.PETITIONER and not with_contacts and kept is not None:
        # intake: the petitioners it just wrote are on the case (``cases.services``), not read back
        rows = [("p", person.pk, "", person.phone) for person in kept if person.withdrawn_on is None]
    elif audience == Audience.PETITIONER:
        people = (case.petitioners.filter(withdrawn_on__isnull=True).order_by()
                  .annotate(kind=Value("p"), email=Value("")).values_list("kind", "pk", "email", "phone"))
        rows = contacts().union(people, all=True) if with_contacts else people
    elif with_contacts:
        rows = contacts()
    else:
        return []
    found = []
    for kind, pk, email, phone in rows:
        if email:
            found.append((Channel.EMAIL, email, f"{kind}{pk}"))
        if phone:
            found.append((Channel.SMS, phone, f"{kind}{pk}"))
    return found


def notifications_for(case: Case, event) -> list[Notification]:
    """The outbox rows one recorded act calls for (unsaved)."""
    rules = RULES.get(event.action, [])
    rows = []
    language = settings.LANGUAGE_CODE[:2]
    with_contacts = event.action != "intake"  # a case being received has no contacts yet
    for audience, key in rules:
        if audience == Audience.ACCUSED and case.kind != DENUNCIATION:
            continue
        if key == "decision" and case.kind == DENUNCIATION:
            key = "conclusion"
        if audience == Audience.STAFF:
            user = case.handler
            if user is None or not user.is_active:
                continue
            context = {**base_context(case, event), "message": (event.payload or {}).get("message") or ""}
            targets = [(Channel.INAPP, "", f"u{user.pk}")]
            if user.email:
                targets.append((Channel.EMAIL, "", f"u{user.pk}"))  # the address is read when sent
            recipient = user
        elif audience == Audience.ACCUSED:
            targets = _addresses(case, Audience.ACCUSED, with_contacts=with_contacts)
            if not targets:
                continue
            context, recipient = accused_context(case, event), None
        else:
            if case.is_anonymous:
                continue
            targets = _addresses(case, Audience.PETITIONER, with_contacts=with_contacts)
            context, recipient = petitioner_context(case, event), None
        for channel, address, who in targets:
            rows.append(Notification(
                delivery_key=f"ev{event.pk}:{key}:{channel}:{who}", channel=channel, audience=audience,
                recipient=recipient, address=address, case=case, template_key=key, language=language,
                context=context, created_at=event.at,
                not_before=sms_not_before(event.at) if channel == Channel.SMS else None,
            ))
    return rows


def enqueue(ids) -> None:
    """Hand the rows to Celery; if the broker is down the rows stay pending for ``deliver_pending``.

    One connection for the batch that gives up at once (no reconnect loop): a
    request must not wait seconds for a broker that is down.
    """
    from .tasks import deliver_notification

    if not ids:
        return
    app = deliver_notification.app
    options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            for pk in ids:
                deliver_notification.apply_async(args=[pk], retry=False, connection=connection)
    except Exception:  # noqa: BLE001 — a broker outage must never fail the request that caused it
        logger.warning("notifications %s not queued (broker unavailable); deliver_pending will send them", list(ids),
                       exc_info=True)


def on_act_recorded(sender, case, event, **kwargs):
    """Write the act's notifications in its transaction; queue them once it commits."""
    rows = notifications_for(case, event)
    if not rows:
        return
    # The keys hold the new event's id: they cannot clash, and a clash would be a bug worth failing the act for.
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.not_before is None]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
