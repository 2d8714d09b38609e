"""One service per legal act on a case.

Every act runs in one transaction: the FSM transition (the single gate on
``status``), the recomputed deadlines, the append-only ``CaseEvent`` row and
the case's SLA state. Outside effects (letters, messages) belong on
``transaction.on_commit``; none exists yet. Views, admin, flows and Celery
tasks all call these functions.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from config.db import insert_columns, mark_saved, prepared_cursor
from access import policy
from deadlines import clock
from deadlines.engine import (
    DeadlineInput,
    compute_deadlines,
    earliest_after_lead_time,
    rule_due,
)
from deadlines.models import CaseKind, Complexity, DeadlineType, StartEvent
from deadlines.rules import (
    extension_length,
    extensions_allowed,
    find_rule,
    suspension_rule,
)
from organisation.models import Unit

from . import documents, events, formats, notice_sweep, reception, rules
from . import grounds as legal_grounds
from .errors import CaseError, Conflict, Forbidden, InvalidInput, NotFound
from .matching import same_person_same_content_sql, sql_in
from .models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    RESOLVING_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseLink,
    CaseNotice,
    Channel,
    Competence,
    DecisionResult,
    ReceptionType,
    ForceMajeure,
    Dialogue,
    Petitioner,
    Status,
    Topic,
)
from .rules import MASS_PETITION_SIZE, RefusalGround
from .sla import apply_sweep, quiet_intake_state

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read over the phone


ACT_LABELS = {
    "intake": gettext_lazy("receive the petition"),
    "classify": gettext_lazy("classify"),
    "accept": gettext_lazy("accept"),
    "refuse": gettext_lazy("refuse acceptance"),
    "forward": gettext_lazy("forward"),
    "guide": gettext_lazy("guide the petitioner"),
    "archive": gettext_lazy("archive"),
    "assign": gettext_lazy("assign a handler"),
    "start_verification": gettext_lazy("start verification"),
    "record_verification": gettext_lazy("record the verification findings"),
    "start_dialogue": gettext_lazy("start the dialogue"),
    "schedule_dialogue": gettext_lazy("schedule the dialogue"),
    "record_dialogue": gettext_lazy("record the dialogue"),
    "record_dialogue_absence": gettext_lazy("record an absence from the dialogue"),
    "reassess_complexity": gettext_lazy("reassess the complexity"),
    "record_draft": gettext_lazy("record the draft decision"),
    "decide": gettext_lazy("decide"),
    "close": gettext_lazy("close"),
    "appeal": gettext_lazy("record a second complaint"),
    "appeal_overdue": gettext_lazy("record a second complaint (first level overdue)"),
    "suspend": gettext_lazy("suspend"),
    "resume": gettext_lazy("resume"),
    "extend": gettext_lazy("extend"),
    "request_extension": gettext_lazy("request an extension"),
    "approve_extension": gettext_lazy("approve the extension request"),
    "refuse_extension": gettext_lazy("refuse the extension request"),
    "return_draft": gettext_lazy("send the draft decision back"),
    "remind": gettext_lazy("remind the handler"),
    "send_notices": gettext_lazy("record the notices"),
    "send_decision_notice": gettext_lazy("record a decision as sent"),
    "sla_due_soon": gettext_lazy("deadline due soon"),
    "sla_overdue": gettext_lazy("deadline overdue"),
    "recompute_deadlines": gettext_lazy("recompute the deadlines after a rule or calendar change"),
    "attach": gettext_lazy("file a document"),
    "withdraw": gettext_lazy("record the withdrawal"),
    "withdraw_partially": gettext_lazy("record the partial withdrawal"),
}


# A denunciation ends in a conclusion on its content (kết luận nội dung tố cáo, LTC Art 35), not a decision.
DENUNCIATION_ACT_LABELS = {
    "decide": gettext_lazy("conclude on the content of the denunciation"),
    "record_draft": gettext_lazy("record the draft conclusion"),
    "return_draft": gettext_lazy("send the draft conclusion back"),
}


def act_label(action: str, kind: str | None = None) -> str:
    if kind == CaseKind.DENUNCIATION and action in DENUNCIATION_ACT_LABELS:
        return str(DENUNCIATION_ACT_LABELS[action])
    return str(ACT_LABELS.get(action, action.replace("_", " ")))


@dataclass
class IntakeResult:
    case: Case
    pin: str


# --- helpers ----------------------------------------------------------------------

def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise InvalidInput(_("time must be timezone-aware"))
    return now


def _local_date(moment: dt.datetime) -> dt.date:
    """The legal date of an instant: in Asia/Ho_Chi_Minh, whatever zone a request activated."""
    return clock.legal_date(moment)


def _resolve(model, value, *, label: str, field: str):
    """Accept an instance or a primary key; an unknown key is a clear 404, not a 500."""
    if value is None or isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("unknown %(label)s: %(value)r") % {"label": label, "value": value}, field=field) from None


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))


def hash_pin(tracking_code: str, pin: str, *, key: str | None = None) -> str:
    """Keyed hash: a 6-digit PIN is only as strong as the key that guards it.

    The key is ``PIN_KEY``, kept apart from ``SECRET_KEY`` (config.checks refuses a weak one).
    """
    key = (key if key is not None else settings.PIN_KEY).encode()
    return hmac.new(key, f"{tracking_code}:{pin}".encode(), hashlib.sha256).hexdigest()


def check_pin(case: Case, pin: str) -> bool:
    """The current key, then the retired ones (``PIN_KEY_FALLBACKS``) so a key rotation keeps old PINs working."""
    keys = [settings.PIN_KEY, *getattr(settings, "PIN_KEY_FALLBACKS", ())]
    return any(hmac.compare_digest(case.pin_hash, hash_pin(case.tracking_code, str(pin), key=key)) for key in keys)


# The case columns its deadlines are computed from: ``_deadline_input`` reads exactly these, and the
# set-based recompute after a rule or calendar change (``cases.recompute``) groups the open cases by
# them (``received_at`` as its legal date). A new DeadlineInput field read from the case = one line here.
DEADLINE_INPUT_COLUMNS = (
    "kind", "received_at", "round", "complexity", "is_remote", "is_multi_site", "is_anonymous", "accepted_on",
    "extensions", "suspensions",
    "extension_days",  # partial extensions (T4)
    "competence", "is_over_level",  # outside competence: the forwarding clock (T2)
    "decided_on", "status", "is_escalated",  # K5-K7 after a decision; the K2 notice after a refusal
)
# What ``recompute_deadlines`` stores on the case (a new stored due date = one line here too).
DEADLINE_OUTPUT_COLUMNS = ("acceptance_due", "acceptance_alert_due", "resolution_due", "notice_due",
                           "appeal_due", "final_on", "deadline_basis")


def _deadline_input(case: Case) -> DeadlineInput:
    suspensions = tuple(
        (dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None)
        for start, end in case.suspensions
    )
    return DeadlineInput(
        kind=case.kind,
        received=_local_date(case.received_at),
        round=case.round,
        complexity=case.complexity,
        remote=case.is_remote,
        multi_site=case.is_multi_site,
        anonymous=case.is_anonymous,
        accepted=case.accepted_on,
        extensions=case.extensions,
        extension_days=tuple(int(days) for days in case.extension_days or ()),
        suspensions=suspensions,
        outside_competence=rules.outside_competence(case),
        decided=case.decided_on,
    )


def recompute_deadlines(case: Case) -> None:
    """Store the active due dates and their basis on the case (not saved here)."""
    try:
        result = compute_deadlines(_deadline_input(case))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    case.acceptance_due = result.acceptance_due
    case.acceptance_alert_due = result.acceptance_alert_due
    case.resolution_due = result.resolution_due if case.accepted_on else None
    # A notice counted from receipt (a complaint's, K2) is owed on a refusal too; one counted from
    # acceptance (T3) only once accepted.
    refused_with_notice = case.status == Status.NOT_ACCEPTED and result.notice_start == StartEvent.RECEIPT
    case.notice_due = result.notice_due if case.accepted_on or refused_with_notice else None
    case.appeal_due = result.appeal_due
    # K6: a first decision becomes final only if no second complaint is filed (LKN Art 44(1)).
    taken_up = case.status == Status.APPEALED or case.is_escalated
    case.final_on = None if taken_up else result.final_on
    case.deadline_basis = result.basis


# Written only by the SLA sweep (cases.sla): an act never saves them, so it cannot
# undo what a sweep running beside it wrote; it asks the sweep for its own case.
SWEEP_COLUMNS = ("acceptance_sla", "resolution_sla", "notice_sla", "sla_state", "is_backlogged", "is_prolonged")
ACT_COLUMNS = tuple(
    f.name for f in Case._meta.concrete_fields if not f.primary_key and f.name not in SWEEP_COLUMNS
)


def _refresh_sla(case: Case, moment: dt.datetime) -> None:
    """Bring the case's SLA state and flags up to date within the act's transaction."""
    apply_sweep(now=moment, case_id=case.pk)
    values = Case.objects.filter(pk=case.pk).values_list(*SWEEP_COLUMNS).get()
    for name, value in zip(SWEEP_COLUMNS, values):
        setattr(case, name, value)


# What an event records of the case it changed: old and new values of the status, the
# due dates, the flags and the other columns an act may move (``payload["changes"]``).
TRACKED_COLUMNS = (
    "status", "kind", "competent_unit", "topic", "complexity", "handler", "acceptance_due", "resolution_due",
    "notice_due", "accepted_on", "decided_on", "closed_on", "notice_sent_on", "extensions", "extension_days",
    "dialogue_held", "complexity_criteria", "termination_number", "terminated_on", "lapse_on",
    "findings_differ", "identity_protected", "is_anonymous", "is_remote", "is_multi_site", "is_over_level",
    "is_mass", "is_duplicate", "is_refiled", "is_backlogged", "is_prolonged", "sla_state",
    "extension_requested",
    # and every column classification may set (its event records them like any other)
    "complexity_grounds", "respondent_number", "respondent_date", "respondent_issuer", "respondent_act", "accused",
    "competence",
    # K1, refusal grounds, the second level
    "knew_on", "force_majeure_days", "force_majeure_ground", "force_majeure_note", "refusal_ground", "appeal_due",
    "final_on", "is_escalated",
    # the stricter reading's date alerts use where the rule changed during the acceptance window (reference §9)
    "acceptance_alert_due",
    # the reports' stamps and the decision's result
    "ended_on", "resolution_due_at_decision", "result",
)


def _snapshot(case: Case) -> dict:
    return {name: _plain(getattr(case, Case._meta.get_field(name).attname)) for name in TRACKED_COLUMNS}


def _changes(before: dict, case: Case) -> dict:
    after = _snapshot(case)
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def _event(case: Case, *, actor, action: str, from_status: str, at: dt.datetime, legal_basis: str = "", payload=None,
           changes: dict | None = None) -> CaseEvent:
    """The act's event, not yet written."""
    payload = dict(payload or {})
    if changes:
        payload["changes"] = changes
    return CaseEvent(
        case=case,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=case.status,
        legal_basis=legal_basis,
        payload=payload,
    )


def _record(case: Case, *, actor, action: str, from_status: str, at: dt.datetime, legal_basis: str = "", payload=None,
            changes: dict | None = None, workflow: bool = True):
    """Write the act's event and publish it (in the act's transaction)."""
    event = _event(case, actor=actor, action=action, from_status=from_status, at=at, legal_basis=legal_basis,
                   payload=payload, changes=changes)
    event.save(force_insert=True)
    events.publish(case, event, workflow=workflow)
    return event


def _transition_permitted(method, user) -> bool:
    meta = method._django_fsm
    current = meta.field.get_state(method.__self__)
    found = meta.get_transition(current)
    return found is not None and found.has_perm(method.__self__, user)


def _act(
    case: Case,
    *,
    actor,
    transition: str,
    action: str,
    now: dt.datetime | None,
    legal_basis: str = "",
    payload: dict | None = None,
    after: Callable[[Case], None] | None = None,
    refusal: Callable[[Case], list[str]] | None = None,
) -> Case:
    """Run one FSM transition as one atomic, traced act.

    Order of checks: the state allows the act (409), the actor may do it
    (403), its legal conditions hold (409 with the reasons). ``after`` runs
    once the status has moved (dates the deadlines need). The case's SLA
    state is then brought up to date in the same transaction.
    """
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    moment = _now(now)
    case.act_on = _local_date(moment)
    method = getattr(case, transition)
    meta = method._django_fsm
    from_status = case.status
    if not meta.has_transition(from_status):
        raise Conflict(
            _("cannot %(act)s: the case is %(status)s") % {"act": act_label(action, case.kind),
                                                            "status": case.status_label},
            details={"status": from_status, "action": action},
        )
    if not _transition_permitted(method, actor):
        raise Forbidden(_("you are not allowed to %(act)s in this case") % {"act": act_label(action, case.kind)})
    try:
        with transaction.atomic():
            events.begin(case)
            before = _snapshot(case)
            if not meta.conditions_met(case, from_status):
                reasons = refusal(case) if refusal else []
                raise Conflict(
                    "; ".join(str(r) for r in reasons)
                    or _("the legal conditions to %(act)s are not met") % {"act": act_label(action, case.kind)},
                    details={"status": from_status, "action": action, "reasons": reasons},
                )
            method()
            if after:
                after(case)
            _mark_end(case, due_before=before["resolution_due"])
            recompute_deadlines(case)
            case.version += 1
            case.save(update_fields=ACT_COLUMNS)
            _record(case, actor=actor, action=action, from_status=from_status, at=moment,
                    legal_basis=legal_basis, payload=payload, changes=_changes(before, case))
            _refresh_sla(case, moment)
    except ConcurrentTransition:
        case.refresh_from_db()
        raise Conflict(_("the case was changed by someone else; reload it and try again")) from None
    except CaseError:
        case.refresh_from_db()
        raise
    return case


def _mark_end(case: Case, *, due_before) -> None:
    """Stamp the day processing ended, and the resolution due date in force at a decision or termination
    (what the periodic reports count "on time" against; a later recompute cannot move it)."""
    if case.ended_on is None and case.status in ENDED_STATUSES:
        case.ended_on = case.act_on
    if case.resolution_due_at_decision is None and (case.decided_on or case.terminated_on):
        case.resolution_due_at_decision = dt.date.fromisoformat(due_before) if due_before else None


def _require_text(value: str, *, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=field)
    return value


# --- intake -------------------------------------------------------------------

def earliest_receipt_date() -> dt.date:
    """No petition is logged as received before this day (settings.EARLIEST_RECEIPT_DATE)."""
    earliest = settings.EARLIEST_RECEIPT_DATE
    return dt.date.fromisoformat(earliest) if isinstance(earliest, str) else earliest


def _receipt_day(received_at, *, now: dt.datetime) -> dt.date:
    """The legal day of receipt: from the earliest receipt date, never in the future.

    Year 1 or 9999 must never reach the database (they break every list that
    sorts or groups by date): the bounds are checked on the date as typed, in
    its own zone, before any arithmetic that could overflow.
    """
    if not isinstance(received_at, dt.datetime) or timezone.is_naive(received_at):
        raise InvalidInput(_("the time of receipt must be a timezone-aware date and time"), field="received_at")
    earliest = earliest_receipt_date()
    too_early = InvalidInput(
        _("the time of receipt cannot be before %(day)s") % {"day": f"{earliest:%d/%m/%Y}"}, field="received_at"
    )
    future = InvalidInput(_("the time of receipt cannot be in the future"), field="received_at")
    typed = received_at.date()
    if typed < earliest - dt.timedelta(days=1):
        raise too_early
    if typed > now.date() + dt.timedelta(days=1):
        raise future
    if received_at > now:
        raise future
    received_on = _local_date(received_at)
    if received_on < earliest:
        raise too_early
    return received_on


def _check_decision_date(respondent_date, *, received_on: dt.date) -> None:
    """The contested decision was made before the complaint against it arrived, and not before the earliest date."""
    if respondent_date is None:
        return
    if not isinstance(respondent_date, dt.date) or isinstance(respondent_date, dt.datetime):
        raise InvalidInput(_("the date of the contested decision must be a date"), field="respondent_date")
    earliest = earliest_receipt_date()
    if respondent_date < earliest:
        raise InvalidInput(_("the date of the contested decision cannot be before %(day)s")
                           % {"day": f"{earliest:%d/%m/%Y}"}, field="respondent_date")
    if respondent_date > received_on:
        raise InvalidInput(_("the contested decision cannot be dated after the petition was received (%(day)s)")
                           % {"day": f"{received_on:%d/%m/%Y}"}, field="respondent_date")


def _check_limitation_facts(*, knew_on, respondent_date, received_on: dt.date, days, ground, note) -> dict:
    """The K1 facts (LKN Art 9) as recorded: when the complainant received or learned of the decision,
    and the proven days of force majeure with their ground. Returns them cleaned."""
    if knew_on is not None:
        if not isinstance(knew_on, dt.date) or isinstance(knew_on, dt.datetime):
            raise InvalidInput(_("the day the complainant learned of the decision must be a date"), field="knew_on")
        if knew_on > received_on:
            raise InvalidInput(_("the complainant cannot have learned of the decision after the complaint was "
                                 "received (%(day)s)") % {"day": f"{received_on:%d/%m/%Y}"}, field="knew_on")
        if respondent_date is not None and knew_on < respondent_date:
            raise InvalidInput(_("the complainant cannot have learned of the decision before it was made (%(day)s)")
                               % {"day": f"{respondent_date:%d/%m/%Y}"}, field="knew_on")
    try:
        days = int(days or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("the days of force majeure must be a whole number"), field="force_majeure_days") from None
    if days < 0 or days > 3650:
        raise InvalidInput(_("the days of force majeure must be between 0 and 3650"), field="force_majeure_days")
    ground = ground or ""
    if ground and ground not in ForceMajeure.values:
        raise InvalidInput(_("unknown force majeure ground %(value)r") % {"value": ground}, field="force_majeure_ground")
    if days and not ground:
        raise InvalidInput(_("days of force majeure are not counted only with their ground (LKN Art 9)"),
                           field="force_majeure_ground")
    if ground and not days:
        raise InvalidInput(_("give the number of days the force majeure lasted"), field="force_majeure_days")
    note = (note or "").strip()
    if ground == ForceMajeure.OTHER and not note:
        raise InvalidInput(_("describe the objective obstacle"), field="force_majeure_note")
    return {"knew_on": knew_on, "force_majeure_days": days, "force_majeure_ground": ground,
            "force_majeure_note": note}


def _clean_people(petitioners: list) -> list[dict]:
    """The petitioners with their ID numbers and phones checked and normalised (CCCD/CMND/passport, VN phones)."""
    cleaned = []
    for index, person in enumerate(petitioners):
        try:
            number, kind = formats.id_document(person.get("id_number", ""), person.get("id_kind", ""))
            phone = formats.phone(person.get("phone", ""))
        except ValueError as error:
            raise InvalidInput(_("petitioner %(n)d: %(error)s") % {"n": index + 1, "error": error},
                               field="petitioners") from None
        cleaned.append({**person, "id_number": number, "id_kind": kind, "phone": phone})
    return cleaned


def _validate_intake(*, kind, channel, received_at, now, receiving_unit, competent_unit, content, petitioners,
                     respondent_number, respondent_date, respondent_act, accused, round, previous_round, complexity,
                     is_signed, is_anonymous):
    if kind not in CaseKind.values:
        raise InvalidInput(_("unknown kind %(value)r") % {"value": kind}, field="kind")
    if channel not in Channel.values:
        raise InvalidInput(_("unknown channel %(value)r") % {"value": channel}, field="channel")
    if complexity not in Complexity.values:
        raise InvalidInput(_("unknown complexity %(value)r") % {"value": complexity}, field="complexity")
    received_on = _receipt_day(received_at, now=now)
    _check_decision_date(respondent_date, received_on=received_on)
    for unit, field in ((receiving_unit, "receiving_unit"), (competent_unit, "competent_unit")):
        if unit is not None and not unit.is_active_on(received_on):
            raise InvalidInput(
                _("%(unit)s did not exist on %(day)s") % {"unit": unit, "day": f"{received_on:%d/%m/%Y}"}, field=field
            )
    _require_text(content, field="content", label=_("the content"))
    if not is_anonymous and not petitioners:
        raise InvalidInput(
            _("at least one petitioner is required (or mark the petition anonymous)"), field="petitioners"
        )
    for index, person in enumerate(petitioners):
        if not isinstance(person, dict) or not str(person.get("full_name", "")).strip():
            raise InvalidInput(_("petitioner %(n)d needs a full name") % {"n": index + 1}, field="petitioners")
    if kind == CaseKind.COMPLAINT:
        if not (respondent_number or "").strip() and not (respondent_act or "").strip():
            raise InvalidInput(
                _("a complaint must name the contested decision or act (LKN Art 8)"), field="respondent_number"
            )
        if not is_signed and not is_anonymous:
            raise InvalidInput(
                _("a complaint must be signed or fingerprinted (LKN Art 8(2)); log an unsigned letter as anonymous"),
                field="is_signed",
            )
    if kind == CaseKind.DENUNCIATION and not (accused or "").strip():
        raise InvalidInput(_("a denunciation must name the accused (LTC Art 23)"), field="accused")
    if round not in (1, 2):
        raise InvalidInput(_("round must be 1 or 2"), field="round")
    if round == 2:
        if kind != CaseKind.COMPLAINT:
            raise InvalidInput(_("only complaints have a second round"), field="round")
        if previous_round is None:
            raise InvalidInput(
                _("a second-round complaint must link to the first-round case"), field="previous_round"
            )
        _validate_second_round(previous_round, competent_unit=competent_unit, received_on=received_on)
    if previous_round is not None and round != 2:
        raise InvalidInput(_("only a second-round complaint links to a first-round case"), field="previous_round")


def second_level_unit(first_round: Case, on: dt.date) -> tuple[Unit, list[Unit]]:
    """The unit that resolves a second complaint: the superior of the first case's competent unit
    (LKN Art 7(1)), or — the parent being abolished (1/7/2025) — the nearest existing unit above it."""
    unit = first_round.competent_unit
    if unit is None:
        raise InvalidInput(_("the first-round case has no competent unit"), field="previous_round")
    superior, _skipped = found = unit.superior_on(on)
    if superior is None:
        raise InvalidInput(_("%(unit)s has no superior unit in existence on %(day)s")
                           % {"unit": unit, "day": f"{on:%d/%m/%Y}"}, field="competent_unit")
    return found


def _validate_second_round(previous_round: Case, *, competent_unit, received_on: dt.date) -> None:
    """A second complaint: against a first-round complaint that was taken to the second level through
    its own act (appeal, or appeal while overdue), once, and with the superior as the competent unit."""
    if previous_round.kind != CaseKind.COMPLAINT or previous_round.round != 1:
        raise InvalidInput(_("a second-round complaint must follow a first-round complaint"), field="previous_round")
    if not (previous_round.status == Status.APPEALED or previous_round.is_escalated):
        raise InvalidInput(_("record the second complaint on the first-round case (its appeal act)"),
                           field="previous_round")
    superior, _skipped = second_level_unit(previous_round, received_on)
    if competent_unit is None or competent_unit.pk != superior.pk:
        raise InvalidInput(
            _("a second complaint is resolved by %(unit)s, the superior of the first level") % {"unit": superior},
            field="competent_unit",
        )
    if previous_round.appeals.exists():
        raise InvalidInput(_("the first-round case already has a second-round case"), field="previous_round")


RELATED_CANDIDATES = 5


# Earlier cases a new petition repeats, whatever became of them: open or resolved, and also withdrawn,
# not accepted, archived, guided or forwarded ones — filing again after a withdrawal is a repeat too.
REPEATABLE_STATUSES = (*OPEN_STATUSES, Status.CLOSED, Status.APPEALED, Status.GUIDED, Status.FORWARDED,
                       Status.WITHDRAWN, Status.NOT_ACCEPTED, Status.ARCHIVED)
# Every status is repeatable today: the filter is then left out of the query, whose 13-value IN list costs
# PostgreSQL more to plan (against the case table's partial indexes) than the whole look-up takes to run.
_REPEATABLE_FILTER = not set(Status.values) <= set(REPEATABLE_STATUSES)


# What intake asks of a candidate (``policy.may_see_match``, ``_repeat_of``, ``_over_level``, the flags): the
# other columns of a case cost more to select and to build than the search itself. The competent unit's
# path answers the access check without a query.
RELATED_COLUMNS = ("status", "version", "kind", "received_at", "receiving_unit_id", "competent_unit_id", "handler_id",
                   "identity_protected", "acceptance_due", "resolution_due", "competent_unit__id",
                   "competent_unit__path")


def _find_related_cases(*, people: list[Petitioner], kind, respondent_number, accused, topic) -> list[Case]:
    """Earlier cases by the same person on the same respondent or subject, newest first.

    The same person: the same ID number or phone, or — for someone who gave no
    ID number — the same name against the same contested decision or accused
    (conservative: a name alone is common). Identities are encrypted, so the
    match runs on their blind indexes (``cases.crypto``, ``cases.matching``), in one query:
    written in SQL (``same_person_same_content_sql``), as the ORM would select
    ``.only(*RELATED_COLUMNS)`` with the competent unit, since every intake runs it.
    """
    match, params = same_person_same_content_sql(people=people, respondent_number=respondent_number,
                                                 accused=accused, topic=topic)
    if not match:
        return []
    statuses = ""
    if _REPEATABLE_FILTER:
        term, values = sql_in("c.status", REPEATABLE_STATUSES)
        statuses = f" AND {term}"
        params = [*params, *values]
    columns, unit_columns = _related_columns()
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join('c.' + name for name in columns)}, u.id, u.path FROM cases_case c "
            f"LEFT JOIN organisation_unit u ON u.id = c.competent_unit_id "
            f"WHERE c.kind = %s AND ({match}){statuses} "
            f"ORDER BY c.received_at DESC, c.id DESC LIMIT {RELATED_CANDIDATES}",
            [kind, *params])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        case = Case.from_db(connection.alias, columns, row[:len(columns)])
        unit = Unit.from_db(connection.alias, unit_columns, row[len(columns):]) if row[-2] is not None else None
        Case.competent_unit.field.set_cached_value(case, unit)  # as select_related leaves it
        found.append(case)
    return found


@functools.cache
def _related_columns() -> tuple[list[str], list[str]]:
    """The case columns ``.only(*RELATED_COLUMNS)`` selects (with the primary key), and the unit's."""
    wanted = {"id"} | {Case._meta.get_field(name).attname for name in RELATED_COLUMNS if "__" not in name}
    columns = [f.attname for f in Case._meta.concrete_fields if f.attname in wanted]
    assert all(Case._meta.get_field(name).column == name for name in columns)
    return columns, ["id", "path"]


def _repeat_of(related: Case | None) -> dict | None:
    """What intake records of the case a petition repeats: a refiling after a full withdrawal is named as such.

    For a complaint the withdrawal date is what the K8 lapse counts from.
    """
    if related is None:
        return None
    repeat = {"case": related.pk, "status": related.status}
    if related.status == Status.WITHDRAWN:
        withdrawn = related.petitioners.aggregate(last=Max("withdrawn_on"))["last"]
        repeat.update(reason="refiled_after_withdrawal", full_withdrawal=True,
                      withdrawn_on=withdrawn.isoformat() if withdrawn else None)
    elif related.status in (Status.CLOSED, Status.APPEALED):
        repeat["reason"] = "refiled_after_final_decision"
    elif related.status == Status.GUIDED:
        repeat["reason"] = "already_guided"
    else:
        repeat["reason"] = "repeat"
    return repeat


def _over_level(receiving: Unit, competent: Unit | None, related: Case | None, today: dt.date) -> bool:
    """Vượt cấp: a unit above the competent one received it while the lower level is still in time.

    The lower level "has acted" when its case is decided or closed, and has
    "run out of time" when its resolution (or acceptance) date has passed.
    """
    if competent is None or competent.pk == receiving.pk or not receiving.is_ancestor_of(competent):
        return False
    if related is None or related.competent_unit_id != competent.pk or related.status == Status.WITHDRAWN:
        return True  # nothing of this petition is pending below: it belongs there first
    if related.status in (Status.DECIDED, Status.CLOSED, Status.APPEALED):
        return False
    lower_due = related.resolution_due or related.acceptance_due
    return not (lower_due and lower_due < today)


def case_intake(
    *,
    actor,
    kind: str,
    channel: str,
    received_at: dt.datetime,
    receiving_unit,
    content: str,
    petitioners: list[dict],
    competent_unit=None,
    topic=None,
    respondent_number: str = "",
    respondent_date: dt.date | None = None,
    respondent_issuer: str = "",
    respondent_act: str = "",
    accused: str = "",
    knew_on: dt.date | None = None,
    force_majeure_days: int = 0,
    force_majeure_ground: str = "",
    force_majeure_note: str = "",
    round: int = 1,
    previous_round=None,
    complexity: str = Complexity.SIMPLE,
    complexity_grounds: str = "",
    is_signed: bool = True,
    is_anonymous: bool = False,
    is_multi_site: bool = False,
    identity_protected: bool = False,
    competence: str = Competence.UNKNOWN,
    reception_type: str = ReceptionType.REGULAR,
    now: dt.datetime | None = None,
    start_process: bool = True,
) -> IntakeResult:
    """Log a petition at the reception desk (walk-in, mail, phone, web …).

    A denunciation is always identity-protected; ``identity_protected`` carries
    the protection over to a case made from a protected one (a second round).

    The competent unit is left empty unless given: classification sets it, and
    acceptance refuses a case without one. Until then the case counts as remote
    if its receiving unit is (remoteness changes no acceptance period; it is
    reset from the competent unit when that is set). For a complaint, K1 runs
    from ``knew_on``, which defaults to the contested decision's date.
    """
    moment = _now(now)
    receiving_unit = _resolve(Unit, receiving_unit, label=_("receiving unit"), field="receiving_unit")
    if receiving_unit is None:
        raise InvalidInput(_("the receiving unit is required"), field="receiving_unit")
    competent_unit = _resolve(Unit, competent_unit, label=_("competent unit"), field="competent_unit")
    topic = _resolve(Topic, topic, label=_("field / topic"), field="topic")
    previous_round = _resolve(Case, previous_round, label=_("first-round case"), field="previous_round")
    petitioners = list(petitioners or [])
    if competence not in Competence.values:
        raise InvalidInput(_("unknown competence %(value)r") % {"value": competence}, field="competence")
    if reception_type not in ReceptionType.values:
        raise InvalidInput(_("unknown reception type %(value)r") % {"value": reception_type},
                           field="reception_type")
    _validate_intake(
        kind=kind, channel=channel, received_at=received_at, now=moment, receiving_unit=receiving_unit,
        competent_unit=competent_unit, content=content, petitioners=petitioners,
        respondent_number=respondent_number, respondent_date=respondent_date, respondent_act=respondent_act,
        accused=accused, round=round, previous_round=previous_round, complexity=complexity, is_signed=is_signed,
        is_anonymous=is_anonymous,
    )
    limitation = {}
    if kind == CaseKind.COMPLAINT and round == 1:
        limitation = _check_limitation_facts(
            knew_on=knew_on or respondent_date, respondent_date=respondent_date,
            received_on=_local_date(received_at), days=force_majeure_days, ground=force_majeure_ground,
            note=force_majeure_note,
        )
    elif knew_on or force_majeure_days or force_majeure_ground:
        raise InvalidInput(_("the limitation period (K1) applies only to a first complaint"), field="knew_on")
    petitioners = _clean_people(petitioners)
    if not policy.can_log_petition(actor, receiving_unit):
        raise Forbidden(_("only the reception desk or the head of the receiving unit may log a petition"))

    today = _local_date(moment)
    people = [
        Petitioner(
            full_name=str(p["full_name"]).strip(),
            id_number=p["id_number"],
            id_kind=p["id_kind"],
            phone=p["phone"],
            address=str(p.get("address", "")).strip(),
            is_representative=bool(p.get("is_representative", False)),
            has_signed=bool(p.get("has_signed", True)),
        )
        for p in petitioners
    ]
    for person in people:
        person.set_digests()  # bulk_create below does not call save()
    candidates = _find_related_cases(
        people=people, kind=kind, respondent_number=respondent_number, accused=accused, topic=topic
    )
    # A match is shown only to a clerk who may see the other case's people (reference §5);
    # any other match becomes a restricted link for the competent head (access.policy.case_links_q).
    related = next((c for c in candidates if policy.may_see_match(actor, c)), None)
    hidden = [c for c in candidates if c is not related and not policy.may_see_match(actor, c)]
    pin = f"{secrets.randbelow(10**6):06d}"
    case = Case(
        kind=kind,
        channel=channel,
        received_at=received_at,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        topic=topic,
        content=content.strip(),
        is_signed=is_signed,
        respondent_number=(respondent_number or "").strip(),
        respondent_date=respondent_date,
        respondent_issuer=(respondent_issuer or "").strip(),
        respondent_act=(respondent_act or "").strip(),
        accused=(accused or "").strip(),
        round=round,
        previous_round=previous_round,
        complexity=complexity,
        complexity_grounds=complexity_grounds,
        is_remote=(competent_unit or receiving_unit).is_remote,
        **limitation,
        is_multi_site=is_multi_site,
        is_anonymous=is_anonymous,
        competence=competence,
        identity_protected=bool(identity_protected) or kind == CaseKind.DENUNCIATION,
        is_mass=len(petitioners) >= MASS_PETITION_SIZE,
        is_duplicate=related is not None,
        duplicate_of=related,
        is_refiled=related is not None and related.status == Status.CLOSED,
        is_over_level=_over_level(receiving_unit, competent_unit, related, today),
    )
    case.is_prolonged = case.is_refiled
    recompute_deadlines(case)
    quiet = quiet_intake_state(case, moment)
    if quiet is not None:
        case.acceptance_sla = case.sla_state = quiet
    links = [CaseLink(related=other, kind=CaseLink.Kind.DUPLICATE, found_at=moment,
                      visible_to_unit=competent_unit or receiving_unit)
             for other in hidden]
    payload = {
        "channel": channel,
        "petitioners": len(people),
        "flags": {
            "mass": case.is_mass,
            "duplicate_of": related.pk if related else None,
            "over_level": case.is_over_level,
            "refiled": case.is_refiled,
            "refiled_after_withdrawal": related is not None and related.status == Status.WITHDRAWN,
            "outside_competence": case.outside_competence,
        },
    }
    repeat = _repeat_of(related)
    if repeat:
        payload["repeat"] = repeat
    # A tracking-code collision (1 in 32**12) retries the whole intake rather than paying a savepoint on
    # every intake. Inside a caller's transaction (the API's, the intake form's: each aborts as a whole on
    # an error) there is no savepoint to go back to either: a collision is a conflict the client retries.
    nested = transaction.get_connection().in_atomic_block
    for attempt in range(3):
        case.tracking_code = new_tracking_code()
        case.pin_hash = hash_pin(case.tracking_code, pin)
        try:
            with transaction.atomic(savepoint=not nested):
                _save_intake(case, people, links, actor=actor, moment=moment, payload=payload,
                             start_process=start_process, refresh_sla=quiet is None, reception_type=reception_type)
            return IntakeResult(case=case, pin=pin)
        except IntegrityError as error:
            case.pk = None
            if nested:
                if _tracking_code_clash(error):
                    raise Conflict(_("could not allocate a tracking code; try again")) from error
                raise
            if not Case.objects.filter(tracking_code=case.tracking_code).exists():
                raise
    raise Conflict(_("could not allocate a tracking code; try again"))


def _tracking_code_clash(error: IntegrityError) -> bool:
    """Whether the case's tracking code was taken (the transaction is aborted: asked of the error, not the table)."""
    diagnostics = getattr(error.__cause__, "diag", None)
    if diagnostics is not None:
        return diagnostics.constraint_name == "case_tracking_code_unique"
    return "tracking_code" in str(error)


def _save_intake(case: Case, people: list[Petitioner], links: list[CaseLink], *, actor, moment, payload,
                 start_process: bool, refresh_sla: bool, reception_type: str) -> None:
    if case.channel == Channel.IN_PERSON and getattr(actor, "is_authenticated", False):
        # at the desk: the petition joins the officer's reception session of the day (one upsert)
        case.reception_session_id = reception.join_session(
            unit_id=case.receiving_unit_id, officer_id=actor.pk, day=_local_date(case.received_at),
            type=reception_type, persons=len(people), mass=case.is_mass,
        )
        payload["reception_session"] = case.reception_session_id
    case.protect_identity_if_required()  # as save() does, before the event records the case's columns
    event = _event(case, actor=actor, action="intake", from_status="", at=moment,
                   legal_basis="LTCD 42/2013 Art 26; TT 07/2014 Art 6", payload=payload, changes=_changes({}, case))
    if ONE_STATEMENT_INTAKE and connection.vendor == "postgresql" and not links:
        _write_intake(case, people, event)
    else:
        case.save(force_insert=True)
        for person in people:
            person.case = case  # their digests were set when they were built
        Petitioner.objects.bulk_create(people)
        if links:
            for link in links:
                link.case = case
            CaseLink.objects.bulk_create(links)
        event.case = case
        event.save(force_insert=True)
    _keep_petitioners(case, people)
    events.publish(case, event, workflow=start_process)
    if refresh_sla:
        _refresh_sla(case, moment)


# Off only in the test that holds the one-statement write to the ORM's rows.
ONE_STATEMENT_INTAKE = True


def _write_intake(case: Case, people: list[Petitioner], event: CaseEvent) -> None:
    """The case, its petitioners and its intake event in one statement (PostgreSQL): what ``case.save()``,
    ``bulk_create(people)`` and ``event.save()`` write, without three ORM compilations and round trips on
    every intake. A test holds the rows to those the ORM writes."""
    cases, petitioners, trail = insert_columns(Case), insert_columns(Petitioner, without="case"), insert_columns(
        CaseEvent, without="case")
    params = cases.values(case)
    parts = [f"WITH c AS (INSERT INTO {cases.table} ({cases.names}) VALUES {cases.marks} RETURNING id)"]
    if people:
        rows = ", ".join(f"((SELECT id FROM c), {petitioners.marks[1:]}" for _ in people)
        parts.append(f"p AS (INSERT INTO {petitioners.table} (case_id, {petitioners.names}) VALUES {rows} RETURNING id)")
        for person in people:
            params += petitioners.values(person)
    parts.append(f"e AS (INSERT INTO {trail.table} (case_id, {trail.names}) VALUES ((SELECT id FROM c), "
                 f"{trail.marks[1:]} RETURNING id)")
    params += trail.values(event)
    found = "ARRAY(SELECT id FROM p ORDER BY id)" if people else "ARRAY[]::bigint[]"
    with prepared_cursor() as cursor:  # one text per number of petitioners
        cursor.execute(", ".join(parts) + f" SELECT (SELECT id FROM c), (SELECT id FROM e), {found}", params)
        case_pk, event_pk, people_pks = cursor.fetchone()
    mark_saved(case, case_pk)
    case.record_saved_state()
    for person, pk in zip(people, people_pks, strict=True):  # ids are drawn in the order the rows are listed
        person.case = case
        mark_saved(person, pk)
    event.case = case
    mark_saved(event, event_pk)


def _keep_petitioners(case: Case, people: list[Petitioner]) -> None:
    """The petitioners just written, as ``case.petitioners.all()``: what reads them within the act (the
    outbox, the API's answer) need not read them back (as ``prefetch_related`` leaves them)."""
    rows = case.petitioners.get_queryset()
    rows._result_cache = list(people)
    rows._prefetch_done = True
    case._prefetched_objects_cache = {**getattr(case, "_prefetched_objects_cache", {}), "petitioners": rows}


# --- classification and acceptance ------------------------------------------------

CLASSIFIABLE_FIELDS = {
    "kind", "topic", "competent_unit", "complexity", "complexity_grounds", "is_multi_site", "respondent_number",
    "respondent_date", "respondent_issuer", "respondent_act", "accused", "is_anonymous", "competence",
    "respondent_date", "respondent_issuer", "respondent_act", "accused", "is_anonymous",
    "knew_on", "force_majeure_days", "force_majeure_ground", "force_majeure_note",
}
LIMITATION_FIELDS = ("knew_on", "force_majeure_days", "force_majeure_ground", "force_majeure_note")


def case_classify(*, case: Case, actor, now: dt.datetime | None = None, **changes) -> Case:
    """Reception fixes the classification axes of TT 07/2014 Art 6 before acceptance."""
    unknown = set(changes) - CLASSIFIABLE_FIELDS
    if unknown:
        raise InvalidInput(_("cannot classify fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "kind" in changes and changes["kind"] not in CaseKind.values:
        raise InvalidInput(_("unknown kind %(value)r") % {"value": changes["kind"]}, field="kind")
    if "complexity" in changes and changes["complexity"] not in Complexity.values:
        raise InvalidInput(_("unknown complexity %(value)r") % {"value": changes["complexity"]}, field="complexity")
    if "competence" in changes and changes["competence"] not in Competence.values:
        raise InvalidInput(_("unknown competence %(value)r") % {"value": changes["competence"]}, field="competence")
    if changes.get("complexity") in (Complexity.COMPLEX, Complexity.ESPECIALLY_COMPLEX) and not (
        changes.get("complexity_grounds") or case.complexity_grounds
    ):
        raise InvalidInput(
            _("record the grounds for the complexity finding (NĐ 124 Art 3a)"), field="complexity_grounds"
        )
    moment = _now(now)
    if "competent_unit" in changes:
        changes["competent_unit"] = _resolve(Unit, changes["competent_unit"], label=_("competent unit"),
                                             field="competent_unit")
        unit, today = changes["competent_unit"], _local_date(moment)
        if unit is not None and not unit.is_active_on(today):
            # A dissolved unit has nobody to work the case: its task would wait forever.
            raise InvalidInput(
                _("%(unit)s does not exist on %(day)s") % {"unit": unit, "day": f"{today:%d/%m/%Y}"},
                field="competent_unit",
            )
    if "respondent_date" in changes:
        _check_decision_date(changes["respondent_date"], received_on=_local_date(case.received_at))
    if set(LIMITATION_FIELDS) & set(changes) or "respondent_date" in changes or "kind" in changes:
        changes.update(_classified_limitation(case, changes))
    if "topic" in changes:
        changes["topic"] = _resolve(Topic, changes["topic"], label=_("field / topic"), field="topic")
    payload: dict = {}

    def apply(c: Case) -> None:
        before = {"over_level": c.is_over_level, "outside_competence": c.outside_competence, "mass": c.is_mass}
        unit_changed = "competent_unit" in changes and changes["competent_unit"] != c.competent_unit
        for name, value in changes.items():
            setattr(c, name, value)
        # Once a denunciation, always protected: reclassifying never exposes a denouncer (reference §5).
        c.identity_protected = c.identity_protected or c.kind == CaseKind.DENUNCIATION
        if c.competent_unit_id:
            c.is_remote = c.competent_unit.is_remote
        _refresh_routing_flags(c, unit_changed=unit_changed, payload=payload, before=before)

    return _act(
        case, actor=actor, transition="classify", action="classify", now=moment,
        legal_basis="TT 07/2014 Art 6", after=apply, payload=payload,
    )


def _refresh_routing_flags(case: Case, *, unit_changed: bool, payload: dict, before: dict) -> None:
    """Over-level and mass follow the case, not just its intake (§4.3; TT 07/2014 Art 27).

    Over-level is recomputed whenever the competent unit changes (against the
    lower level's own case, if intake found one); a mass petition is 5 or more
    petitioners still in the case. The event names what moved, and the route
    §4.3 now calls for: a complaint outside competence is guided, a
    denunciation forwarded (T2).
    """
    if unit_changed:
        case.is_over_level = _over_level(case.receiving_unit, case.competent_unit, case.duplicate_of, case.act_on)
    case.is_mass = case.petitioners.filter(withdrawn_on__isnull=True).count() >= MASS_PETITION_SIZE
    after = {"over_level": case.is_over_level, "outside_competence": case.outside_competence, "mass": case.is_mass}
    moved = {name: [before[name], value] for name, value in after.items() if before[name] != value}
    if moved:
        payload["routing"] = {**moved, "route": rules.competence_route(case) if case.outside_competence else None}


def _classified_limitation(case: Case, changes: dict) -> dict:
    """The K1 facts after classification: checked together, ``knew_on`` defaulting to the decision's date.
    Only a first complaint has them; a case classified as anything else keeps none."""
    value = {name: changes.get(name, getattr(case, name)) for name in (*LIMITATION_FIELDS, "respondent_date")}
    if changes.get("kind", case.kind) != CaseKind.COMPLAINT or case.round != 1:
        if any(name in changes and changes[name] for name in LIMITATION_FIELDS):
            raise InvalidInput(_("the limitation period (K1) applies only to a first complaint"), field="knew_on")
        return {}
    if value["knew_on"] is None:
        value["knew_on"] = value["respondent_date"]
    return _check_limitation_facts(
        knew_on=value["knew_on"], respondent_date=value["respondent_date"],
        received_on=_local_date(case.received_at), days=value["force_majeure_days"],
        ground=value["force_majeure_ground"], note=value["force_majeure_note"],
    )


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def case_accept(*, case: Case, actor, now: dt.datetime | None = None, accepted_on: dt.date | None = None) -> Case:
    """Accept for resolution. ``accepted_on``: the day a paper case was accepted when it is entered later
    (not before the day of receipt, not after today); by default the day of the act."""
    basis = "LKN Arts 27, 36; NĐ 155/2026 Art 10" if case.kind == CaseKind.COMPLAINT else "LTC Arts 24, 29"
    if accepted_on is not None and isinstance(case, Case):
        if not isinstance(accepted_on, dt.date) or isinstance(accepted_on, dt.datetime):
            raise InvalidInput(_("the day of acceptance must be a date"), field="accepted_on")
        received_on = _local_date(case.received_at)
        if accepted_on < received_on:
            raise InvalidInput(_("the petition cannot be accepted before it was received (%(day)s)")
                               % {"day": f"{received_on:%d/%m/%Y}"}, field="accepted_on")
        if accepted_on > _local_date(_now(now)):
            raise InvalidInput(_("the day of acceptance cannot be in the future"), field="accepted_on")

    def set_accepted(c: Case) -> None:
        c.accepted_on = accepted_on or c.act_on

    payload = {"accepted_on": accepted_on.isoformat(), "back_dated": True} if accepted_on is not None else None
    return _act(case, actor=actor, transition="accept", action="accept", now=now, legal_basis=basis,
                payload=payload, after=set_accepted, refusal=rules.acceptance_problems)


def case_refuse(*, case: Case, actor, ground: str = "", reason: str = "", now: dt.datetime | None = None) -> Case:
    """Not accepted, on a ground of the law (``rules.RefusalGround``, those that fit the case's kind),
    recorded on the case and in the event with its legal basis; "other" needs the reason in words."""
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    if not ground:
        raise InvalidInput(_("choose the ground for not accepting"), field="ground")
    if ground not in RefusalGround.values:
        raise InvalidInput(_("unknown ground %(value)r") % {"value": ground}, field="ground")
    basis = rules.refusal_basis(ground, case.kind, case.round)
    if basis is None:
        raise InvalidInput(_("“%(ground)s” is not a ground for not accepting a %(kind)s")
                           % {"ground": RefusalGround(ground).label, "kind": case.get_kind_display()}, field="ground")
    reason = (reason or "").strip()
    if ground == RefusalGround.OTHER:
        reason = _require_text(reason, field="reason", label=_("the reason for not accepting"))
    payload = {"ground": ground, "reason": reason}
    if ground == RefusalGround.LIMITATION_EXPIRED:
        window = rules.limitation_window(case)
        if window is not None:
            received_on = _local_date(case.received_at)
            if received_on <= window.due:
                raise InvalidInput(
                    _("the complaint was received on %(received)s, within the limitation period that ends on "
                      "%(due)s (K1)") % {"received": f"{received_on:%d/%m/%Y}", "due": f"{window.due:%d/%m/%Y}"},
                    field="ground",
                )
            payload["limitation"] = {"from": (case.knew_on or case.respondent_date).isoformat(),
                                     "not_counted": case.force_majeure_days, "due": window.due.isoformat(),
                                     "rule": window.rule, "source": window.source}

    def set_reason(c: Case) -> None:
        c.refusal_ground = ground
        c.status_reason = reason or str(RefusalGround(ground).label)

    return _act(case, actor=actor, transition="refuse", action="refuse", now=now, legal_basis=basis,
                payload=payload, after=set_reason)


def case_forward(*, case: Case, actor, to_body: str, reason: str = "", petitioner_notified: bool = True,
                 now: dt.datetime | None = None) -> Case:
    """Send a petition outside competence to the competent body, and tell the petitioner (T2 for a denunciation).

    The event records the body, whether the petitioner (the denouncer) was told
    and on which day, and the forwarding deadline it met or missed (LTC Art 24(2)).
    """
    to_body = _require_text(to_body, field="to_body", label=_("the body it is forwarded to"))
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    if not petitioner_notified and not case.is_anonymous:
        raise InvalidInput(_("the petitioner must be told where the petition was forwarded (LTC Art 24(2))"),
                           field="petitioner_notified")
    payload = {"to_body": to_body, "reason": reason}

    def set_reason(c: Case) -> None:
        c.status_reason = reason or to_body
        due = c.acceptance_due
        payload.update(petitioner_notified_on=c.act_on.isoformat() if petitioner_notified else None,
                       due=due.isoformat() if due else None, late=bool(due and c.act_on > due),
                       over_level=c.is_over_level)

    basis = "LTC Art 24(2); TT 07/2014 Art 8" if case.kind == CaseKind.DENUNCIATION else "TT 07/2014 Art 8"
    return _act(case, actor=actor, transition="forward", action="forward", now=now, legal_basis=basis,
                payload=payload, after=set_reason)


def guidance_refusal(case: Case, *, actor=None) -> list[str]:
    """Why the petitioner may not be guided again: the earlier guidance, by receipt code and date where the
    actor may see that case (else by date only: a match must not name another unit's case, reference §5)."""
    earlier = rules.earlier_guidance(case)
    if earlier is None:
        return [_("instructions on this content were already given once; archive it instead")]
    guided = earlier.events.filter(action="guide").order_by("-at", "-pk").values_list("at", flat=True).first()
    day = _local_date(guided).strftime("%d/%m/%Y") if guided else "—"
    if actor is not None and policy.may_see_match(actor, earlier):
        return [_("instructions on this content were already given once, in case %(code)s on %(day)s "
                  "(TT 07/2014 Art 6(2)); archive it instead") % {"code": earlier.tracking_code, "day": day}]
    return [_("instructions on this content were already given once, on %(day)s (TT 07/2014 Art 6(2)); "
              "archive it instead") % {"day": day}]


def case_guide(*, case: Case, actor, instructions: str, now: dt.datetime | None = None) -> Case:
    instructions = _require_text(instructions, field="instructions", label=_("the instructions"))

    def set_reason(c: Case) -> None:
        c.status_reason = instructions

    return _act(case, actor=actor, transition="guide", action="guide", now=now, legal_basis="TT 07/2014 Art 8",
                payload={"instructions": instructions, "over_level": getattr(case, "is_over_level", False)},
                after=set_reason,
                refusal=lambda c: guidance_refusal(c, actor=actor))


def case_archive(*, case: Case, actor, reason: str, now: dt.datetime | None = None) -> Case:
    reason = _require_text(reason, field="reason", label=_("the reason for archiving"))

    def set_reason(c: Case) -> None:
        c.status_reason = reason

    return _act(case, actor=actor, transition="archive", action="archive", now=now,
                legal_basis="TT 07/2014 Arts 6(2)(b), 28; LTC Art 25", payload={"reason": reason}, after=set_reason)


# --- handling ---------------------------------------------------------------------

def case_assign(*, case: Case, actor, handler, now: dt.datetime | None = None) -> Case:
    from django.contrib.auth import get_user_model

    handler = _resolve(get_user_model(), handler, label=_("handler"), field="handler")
    if handler is None:
        raise InvalidInput(_("choose a handler"), field="handler")
    if not policy.may_be_handler(handler, case):
        raise InvalidInput(_("%(user)s is not a handler of the competent unit") % {"user": handler}, field="handler")
    previous = case.handler_id

    def set_handler(c: Case) -> None:
        c.handler = handler

    return _act(case, actor=actor, transition="assign", action="assign", now=now,
                payload={"handler": handler.pk, "previous": previous}, after=set_handler)


def case_start_verification(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    return _act(case, actor=actor, transition="start_verification", action="start_verification", now=now,
                legal_basis="LKN Art 29; LTC Art 31",
                refusal=lambda c: [_("assign a handler before verification starts")])


NO_DIALOGUE = gettext_lazy("a denunciation has no dialogue: dialogue belongs to the resolution of complaints "
                           "(LKN Arts 30, 39)")


def case_start_dialogue(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    return _act(case, actor=actor, transition="start_dialogue", action="start_dialogue", now=now,
                legal_basis="LKN Arts 30, 39; NĐ 124 Art 28", refusal=lambda c: [NO_DIALOGUE])


def _record_fact(case: Case, *, actor, action: str, statuses, permitted: Callable, updates: dict,
                 now: dt.datetime | None, legal_basis: str = "", payload: dict | None = None,
                 refusal: Callable[[Case], list[str]] | None = None,
                 after: Callable[[Case], None] | None = None) -> Case:
    """A recorded act that keeps the status (findings, minutes, a draft): same gate, same trace.

    The UPDATE is guarded by ``version`` and ``status``, so a stale copy
    is refused exactly like a stale transition. ``refusal`` lists the unmet
    conditions (409, after the state and permission checks); ``after`` writes
    the act's own records in its transaction, before its event.
    """
    if case.status not in statuses:
        raise Conflict(
            _("cannot %(act)s: the case is %(status)s") % {"act": act_label(action, case.kind),
                                                            "status": case.status_label},
            details={"status": case.status, "action": action},
        )
    if not permitted(case, actor):
        raise Forbidden(_("you are not allowed to %(act)s in this case") % {"act": act_label(action, case.kind)})
    moment = _now(now)
    case.act_on = _local_date(moment)
    with transaction.atomic():
        events.begin(case)
        before = _snapshot(case)
        reasons = refusal(case) if refusal else []
        if reasons:
            raise Conflict("; ".join(str(r) for r in reasons),
                           details={"status": case.status, "action": action, "reasons": reasons})
        updated = Case.objects.filter(pk=case.pk, version=case.version, status=case.status).update(
            version=case.version + 1, updated_at=moment, **updates
        )
        if not updated:
            raise Conflict(_("the case was changed by someone else; reload it and try again"))
        case.refresh_from_db()
        case.act_on = _local_date(moment)
        if after:
            after(case)
        _record(case, actor=actor, action=action, from_status=case.status, at=moment,
                legal_basis=legal_basis, payload=payload, changes=_changes(before, case))
    return case


def case_record_verification(*, case: Case, actor, findings: str, findings_differ: bool,
                             now: dt.datetime | None = None) -> Case:
    """The handler's verification findings; whether they differ from the demand decides the dialogue (LKN Art 30)."""
    findings = _require_text(findings, field="findings", label=_("the verification findings"))
    if findings_differ and getattr(case, "kind", None) != CaseKind.COMPLAINT:
        raise InvalidInput(_("only a complaint's findings can call for a dialogue (LKN Art 30)"), field="findings_differ")
    return _record_fact(case, actor=actor, action="record_verification", statuses=(Status.IN_VERIFICATION,),
                        permitted=policy.can_handle, updates={"findings_differ": bool(findings_differ)}, now=now,
                        legal_basis="LKN Art 29; LTC Art 31",
                        payload={"findings": findings, "findings_differ": bool(findings_differ)})


# --- dialogue (LKN Arts 30, 39; NĐ 124 Art 28 as amended by NĐ 155/2026 Art 11) ----------------------

DIALOGUE_BASIS = "LKN Arts 30, 39; NĐ 124 Art 28 (NĐ 155/2026 Art 11)"
NAME_MAX = 200


def _names(value, *, field: str, label: str, required: bool = True) -> list[str]:
    """A list of people (names and roles) from a list or one name per line."""
    if value is None:
        items = []
    elif isinstance(value, str):
        items = value.splitlines()
    else:
        try:
            items = list(value)
        except TypeError:
            raise InvalidInput(_("%(label)s must be a list of names") % {"label": label}, field=field) from None
    names = [str(item).strip() for item in items if str(item).strip()]
    if required and not names:
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=field)
    if any(len(name) > NAME_MAX for name in names):
        raise InvalidInput(_("%(label)s: each entry must be at most %(n)d characters") % {"label": label, "n": NAME_MAX},
                           field=field)
    return names


def dialogue_lead_time(invited_on: dt.date) -> tuple[dt.date | None, dict]:
    """The earliest day a dialogue invited on ``invited_on`` may be held (K10), with its basis.

    From 1/7/2026 the invitation reaches the parties at least 5 days before the dialogue; before that
    the law required a written invitation but set no minimum lead time (reference §3.1 K10).
    """
    rule = find_rule(kind=CaseKind.COMPLAINT, deadline_type=DeadlineType.OTHER, on=invited_on, code="K10")
    if rule is None:
        return None, {"invited_on": invited_on.isoformat(),
                      "note": "no minimum lead time for a dialogue invitation sent on this date (K10 applies from "
                              "1/7/2026); a written invitation is still required"}
    earliest = earliest_after_lead_time(rule, invited_on)
    return earliest, {"rule": rule.code, "length": rule.length, "unit": rule.day_count, "source": rule.legal_source,
                      "invited_on": invited_on.isoformat(), "earliest": earliest.isoformat()}


def pending_dialogue(case: Case) -> Dialogue | None:
    """The dialogue the case is waiting for (scheduled, not yet recorded), if any."""
    return case.dialogues.filter(state=Dialogue.State.SCHEDULED).order_by("-scheduled_at", "-pk").first()


def case_schedule_dialogue(*, case: Case, actor, scheduled_at: dt.datetime, place: str, participants,
                           invited_on: dt.date | None = None, now: dt.datetime | None = None) -> Case:
    """Invite the parties to a dialogue at a time and place (K10: at least 5 days ahead from 1/7/2026).

    The case moves into dialogue. Scheduling again while a dialogue is pending reschedules it: the
    earlier appointment is recorded as postponed.
    """
    moment = _now(now)
    today = _local_date(moment)
    if not isinstance(scheduled_at, dt.datetime) or timezone.is_naive(scheduled_at):
        raise InvalidInput(_("the time of the dialogue must be a timezone-aware date and time"), field="scheduled_at")
    place = _require_text(place, field="place", label=_("the place of the dialogue"))
    if len(place) > 255:
        raise InvalidInput(_("the place of the dialogue must be at most 255 characters"), field="place")
    people = _names(participants, field="participants", label=_("the participants invited"))
    if invited_on is None:
        invited_on = today
    if not isinstance(invited_on, dt.date) or isinstance(invited_on, dt.datetime):
        raise InvalidInput(_("the date of the invitation must be a date"), field="invited_on")
    if invited_on > today:
        raise InvalidInput(_("the invitation cannot be dated after today (%(day)s)") % {"day": f"{today:%d/%m/%Y}"},
                           field="invited_on")
    if case.accepted_on and invited_on < case.accepted_on:
        raise InvalidInput(_("the invitation cannot be dated before the acceptance (%(day)s)")
                           % {"day": f"{case.accepted_on:%d/%m/%Y}"}, field="invited_on")
    day = _local_date(scheduled_at)
    if day < today:
        raise InvalidInput(_("a dialogue cannot be scheduled in the past"), field="scheduled_at")
    earliest, basis = dialogue_lead_time(invited_on)
    if earliest is not None and day < earliest:
        raise InvalidInput(
            _("the invitation must reach the parties at least %(days)d days before the dialogue (%(rule)s, "
              "%(source)s): with an invitation sent on %(sent)s, the earliest date is %(earliest)s")
            % {"days": basis["length"], "rule": basis["rule"], "source": basis["source"],
               "sent": f"{invited_on:%d/%m/%Y}", "earliest": f"{earliest:%d/%m/%Y}"},
            field="scheduled_at")
    if day < invited_on:
        raise InvalidInput(_("the dialogue cannot take place before its invitation is sent"), field="scheduled_at")
    payload = {"scheduled_at": scheduled_at.isoformat(), "place": place, "participants": people,
               "invited_on": invited_on.isoformat(), "lead_time": basis}

    def book(c: Case) -> None:
        earlier = list(c.dialogues.filter(state=Dialogue.State.SCHEDULED).values_list("pk", flat=True))
        if earlier:
            Dialogue.objects.filter(pk__in=earlier).update(state=Dialogue.State.POSTPONED)
            payload["replaces"] = earlier
        payload["dialogue"] = Dialogue.objects.create(
            case=c, scheduled_at=scheduled_at, place=place, participants=people, invited_on=invited_on, basis=basis,
        ).pk

    return _act(case, actor=actor, transition="schedule_dialogue", action="schedule_dialogue", now=moment,
                legal_basis=DIALOGUE_BASIS, payload=payload, after=book, refusal=lambda c: [NO_DIALOGUE])


def _dialogue_due(case: Case) -> list[str]:
    """Why the outcome of the dialogue cannot be recorded yet (empty: it can)."""
    pending = pending_dialogue(case)
    if pending is None:
        return [_("no dialogue is scheduled: invite the parties first (at least 5 days ahead, K10)")]
    when = timezone.localtime(pending.scheduled_at)
    if case.act_on < when.date():
        return [_("the dialogue is scheduled for %(day)s: its outcome is recorded once that day has come")
                % {"day": f"{when:%d/%m/%Y %H:%M}"}]
    return []


def case_record_dialogue(*, case: Case, actor, minutes: str, attendance, absent=(), outcome: str = "",
                         now: dt.datetime | None = None) -> Case:
    """The minutes of the scheduled dialogue, with who attended and who did not (NĐ 124 Art 28(4)).

    The dialogue requirement is then met; the case stays in dialogue until decided.
    """
    minutes = _require_text(minutes, field="minutes", label=_("the minutes of the dialogue"))
    attended = _names(attendance, field="attendance", label=_("who attended"))
    missing = _names(absent, field="absent", label=_("who was absent"), required=False)
    outcome = (outcome or "").strip()
    payload = {"minutes": minutes, "attendance": attended, "absent": missing, "outcome": outcome}

    def held(c: Case) -> None:
        dialogue = pending_dialogue(c)
        Dialogue.objects.filter(pk=dialogue.pk).update(
            state=Dialogue.State.HELD, held_at=_now(now), minutes=minutes, attendance=attended, absent=missing,
            outcome=outcome)
        payload["dialogue"] = dialogue.pk

    return _record_fact(case, actor=actor, action="record_dialogue", statuses=(Status.IN_DIALOGUE,),
                        permitted=policy.can_handle, updates={"dialogue_held": True}, now=now,
                        legal_basis=DIALOGUE_BASIS, payload=payload, refusal=_dialogue_due, after=held)


def case_record_dialogue_absence(*, case: Case, actor, absent, valid_reason: bool = False, reason: str = "",
                                 attendance=(), minutes: str = "", now: dt.datetime | None = None) -> Case:
    """An invited party did not come to the scheduled dialogue.

    Without a valid reason the resolution goes on to a decision and the dialogue requirement counts as
    met (NĐ 124 Art 28(5) as amended by NĐ 155 Art 11). With one — force majeure or an objective
    obstacle (Art 28a) — the dialogue is postponed and must be scheduled again.
    """
    missing = _names(absent, field="absent", label=_("who was absent"))
    attended = _names(attendance, field="attendance", label=_("who attended"), required=False)
    reason = (reason or "").strip()
    if valid_reason:
        reason = _require_text(reason, field="reason", label=_("the reason given for the absence"))
    minutes = (minutes or "").strip()
    payload = {"absent": missing, "attendance": attended, "valid_reason": bool(valid_reason), "reason": reason,
               "minutes": minutes}

    def recorded(c: Case) -> None:
        dialogue = pending_dialogue(c)
        Dialogue.objects.filter(pk=dialogue.pk).update(
            state=Dialogue.State.POSTPONED if valid_reason else Dialogue.State.ABSENT, held_at=_now(now),
            absent=missing, attendance=attended, absence_reason=reason, minutes=minutes)
        payload["dialogue"] = dialogue.pk

    return _record_fact(case, actor=actor, action="record_dialogue_absence", statuses=(Status.IN_DIALOGUE,),
                        permitted=policy.can_handle, updates={} if valid_reason else {"dialogue_held": True},
                        now=now, legal_basis="NĐ 124 Arts 28(4)–(5), 28a (NĐ 155/2026 Arts 11–12)", payload=payload,
                        refusal=_dialogue_due, after=recorded)


def _outcome_payload(case: Case, *, decision_number: str, conclusion_number: str, summary: str, outcome: str,
                     measures: str, draft: bool) -> dict:
    """What a decision records, or for a denunciation its conclusion on the content and the handling measures.

    A denunciation is concluded, not decided (LTC Art 35): its number is the
    conclusion's (``conclusion_number``; ``decision_number`` is read as it), and
    the conclusion states the handling measures (LTC Art 35(1)) — the sign form
    asks for them; a caller that has none records an empty text.
    """
    if getattr(case, "kind", None) == CaseKind.DENUNCIATION:
        number = (conclusion_number or decision_number or "").strip()
        summary = _require_text(summary, field="summary", label=_("the conclusion summary"))
        if not draft:
            number = _require_text(number, field="conclusion_number", label=_("the conclusion number"))
        return {"conclusion_number": number, "decision_number": number, "summary": summary,
                "measures": (measures or "").strip(), "outcome": outcome}
    if not draft:
        decision_number = _require_text(decision_number, field="decision_number", label=_("the decision number"))
    summary = _require_text(summary, field="summary", label=_("the decision summary"))
    return {"decision_number": (decision_number or "").strip(), "summary": summary, "outcome": outcome}


def case_record_draft(*, case: Case, actor, decision_number: str = "", summary: str, outcome: str = "",
                      conclusion_number: str = "", measures: str = "", now: dt.datetime | None = None) -> Case:
    """The handler's draft decision (for a denunciation, the draft conclusion), waiting for the head's signature."""
    payload = _outcome_payload(case, decision_number=decision_number, conclusion_number=conclusion_number,
                               summary=summary, outcome=outcome, measures=measures, draft=True)
    return _record_fact(case, actor=actor, action="record_draft", statuses=(Status.IN_VERIFICATION, Status.IN_DIALOGUE),
                        permitted=policy.can_handle, updates={}, now=now, payload=payload)


ATTACHMENT_MAX_BYTES = documents.MAX_BYTES
ATTACHMENT_EXTENSIONS = documents.EXTENSIONS


def case_attach(*, case: Case, actor, file, description: str = "", is_original: bool = False,
                now: dt.datetime | None = None) -> Attachment:
    """File a document with the case (the petition scan, evidence, minutes…), traced like any act.

    The content must be what the name says (``cases.documents.validate_upload``); the file is
    stored under a name of ours in the private folder, never under the name it came with.
    """
    if not policy.can_file_documents(case, actor):  # before reading a byte of an outsider's upload
        raise Forbidden(_("you are not allowed to %(act)s in this case") % {"act": act_label("attach")})
    name = getattr(file, "name", "") or ""
    size = documents.validate_upload(file)[1]
    with transaction.atomic():
        _record_fact(case, actor=actor, action="attach", statuses=OPEN_STATUSES, permitted=policy.can_file_documents,
                     updates={}, now=now, payload={"name": documents.display_name(name), "size": size,
                                                   "description": description, "original": bool(is_original)})
        attachment = Attachment(case=case, description=description.strip(), is_original=bool(is_original))
        attachment.file.save(documents.safe_name(name), file, save=False)
        attachment.save()
        return attachment


def latest_draft(case: Case) -> dict:
    event = case.events.filter(action="record_draft").order_by("-at", "-pk").first()
    return dict(event.payload) if event else {}


def draft_awaits_signature(case: Case) -> bool:
    """A draft was recorded and not sent back since (the head may sign it or send it back)."""
    event = case.events.filter(action__in=("record_draft", "return_draft")).order_by("-at", "-pk").first()
    return event is not None and event.action == "record_draft"


def case_return_draft(*, case: Case, actor, comment: str, now: dt.datetime | None = None) -> Case:
    """The head sends the handler's draft (decision or conclusion) back with a comment, instead of signing it.
    The status stays; the workflow hands the drafting task back to the handler."""
    comment = _require_text(comment, field="comment", label=_("the comment on the draft"))

    def no_draft(c: Case) -> list[str]:
        return [] if draft_awaits_signature(c) else [_("there is no draft waiting for signature to send back")]

    return _record_fact(case, actor=actor, action="return_draft", statuses=(Status.IN_VERIFICATION, Status.IN_DIALOGUE),
                        permitted=policy.can_sign, updates={}, now=now, refusal=no_draft,
                        payload={"comment": comment})


def case_remind(*, case: Case, actor, message: str = "", now: dt.datetime | None = None) -> Case:
    """A head reminds the case's handler of it (the notifications deliver it to the handler).

    At most one reminder per handler, case and legal day: a reminder is a nudge, not a stream.
    """
    moment = _now(now)
    today = _local_date(moment)

    def nothing_to_remind(c: Case) -> list[str]:
        if c.handler_id is None:
            return [_("the case has no handler to remind")]
        earlier = c.events.filter(action="remind", at__gte=clock.legal_midnight(today),
                                  payload__handler=c.handler_id).exists()
        return [_("the handler was already reminded of this case today")] if earlier else []

    return _record_fact(case, actor=actor, action="remind", statuses=(*RESOLVING_STATUSES, Status.SUSPENDED),
                        permitted=policy.can_remind, updates={}, now=moment, refusal=nothing_to_remind,
                        payload={"handler": case.handler_id, "message": (message or "").strip()[:1000]})


def case_decide(*, case: Case, actor, decision_number: str = "", summary: str, outcome: str = "",
                conclusion_number: str = "", measures: str = "", result: str = "",
                now: dt.datetime | None = None) -> Case:
    """The decision on a complaint; for a denunciation, the conclusion on its content and the handling measures.

    ``result`` is what it found of the complaint or denunciation (right, wrong, partly right: the reports' split).
    """
    if result not in DecisionResult.values:
        raise InvalidInput(_("unknown result %(value)r") % {"value": result}, field="result")
    payload = _outcome_payload(case, decision_number=decision_number, conclusion_number=conclusion_number,
                               summary=summary, outcome=outcome, measures=measures, draft=False)
    if result:
        payload["result"] = result

    def set_decided(c: Case) -> None:
        c.decided_on = c.act_on
        c.result = result

    basis = "LTC Art 35" if getattr(case, "kind", None) == CaseKind.DENUNCIATION else "LKN Arts 31, 40"
    return _act(case, actor=actor, transition="decide", action="decide", now=now, legal_basis=basis,
                payload=payload, after=set_decided, refusal=rules.dialogue_problems)


def case_close(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    def set_closed(c: Case) -> None:
        c.closed_on = c.act_on

    return _act(case, actor=actor, transition="close", action="close", now=now, after=set_closed)


def notice_recipients(case: Case) -> list[str]:
    """Who the notice of acceptance (or refusal) goes to: a complaint's to the complainant, the inspectorate at
    the same level and the body that forwarded it (K2); a denunciation's to the denouncer and, once accepted,
    the accused (T3)."""
    if case.kind == CaseKind.DENUNCIATION:
        return ["denouncer"] if case.status == Status.NOT_ACCEPTED else ["denouncer", "accused"]
    people = ["complainant" if case.kind == CaseKind.COMPLAINT else "petitioner"]
    if case.kind == CaseKind.COMPLAINT:
        people.append("inspectorate")
    if case.channel == Channel.FORWARDED:
        people.append("forwarding_body")
    return people


def case_send_notices(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    """The written notices of acceptance — or, for a complaint, of refusal with its reasons — went out
    (K2: complainant, inspectorate and forwarding body; T3: denouncer and accused, 5 working days)."""
    def set_sent(c: Case) -> None:
        c.notice_sent_on = c.act_on

    if isinstance(case, Case) and case.notice_sent_on:
        raise Conflict(_("the notices were already sent"))
    basis = next((entry.get("source") for entry in (case.deadline_basis if isinstance(case, Case) else None) or ()
                  if isinstance(entry, dict) and entry.get("deadline") == "notice" and entry.get("source")), None)
    if basis is None:
        basis = "LKN Arts 27, 36" if getattr(case, "kind", None) == CaseKind.COMPLAINT else "LTC Art 29(3); NĐ 31 Art 9(2)"
    payload = {"recipients": notice_recipients(case)} if isinstance(case, Case) else {}
    return _act(case, actor=actor, transition="send_notices", action="send_notices", now=now,
                legal_basis=basis, payload=payload, after=set_sent,
                refusal=lambda c: [_("the notices were already sent")])


def _second_round_people(case: Case) -> list[dict]:
    return list(case.petitioners.filter(withdrawn_on__isnull=True).values(
        "full_name", "id_number", "id_kind", "phone", "address", "is_representative", "has_signed"))


def _second_level_for(case: Case, *, competent_unit, received_on: dt.date) -> tuple[Unit, dict]:
    """The superior that takes the second complaint, checked against the one asked for, and what the event
    says about it (an abolished parent is passed over, and named)."""
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    superior, skipped = second_level_unit(case, received_on)
    asked = _resolve(Unit, competent_unit, label=_("competent unit"), field="competent_unit")
    if asked is not None and asked.pk != superior.pk:
        raise InvalidInput(
            _("a second complaint is resolved by %(unit)s, the superior of the first level") % {"unit": superior},
            field="competent_unit",
        )
    about = {"second_round_unit": superior.pk}
    if skipped:
        about["abolished_units"] = [{"id": unit.pk, "name": unit.name,
                                     "valid_to": unit.valid_to.isoformat() if unit.valid_to else None}
                                    for unit in skipped]
        about["note"] = _("%(parent)s no longer exists on %(day)s: the second complaint goes to %(unit)s, the "
                          "nearest existing unit above the first level") % {
            "parent": skipped[0].name, "day": f"{received_on:%d/%m/%Y}", "unit": superior.name}
    return superior, about


def _open_second_round(case: Case, *, actor, received_at, unit: Unit, content: str, moment) -> Case:
    return case_intake(
        actor=actor, kind=case.kind, channel=case.channel, received_at=received_at,
        receiving_unit=unit, competent_unit=unit, topic=case.topic,
        content=content or case.content, petitioners=_second_round_people(case),
        respondent_number=case.respondent_number, respondent_date=case.respondent_date,
        respondent_issuer=case.respondent_issuer, respondent_act=case.respondent_act, round=2, previous_round=case,
        complexity=case.complexity, complexity_grounds=case.complexity_grounds,
        identity_protected=case.identity_protected, now=moment,
    ).case


def case_appeal(*, case: Case, actor, received_at: dt.datetime, competent_unit=None, content: str = "",
                decision_received_on: dt.date | None = None, now: dt.datetime | None = None) -> Case:
    """A second complaint against the first decision (LKN Arts 7(1), 33(1)): within K5 — 30 days, 45 in a
    remote area, from receipt of the decision (its date, unless ``decision_received_on`` shows a later
    receipt) — the first case, decided or already closed, is marked appealed and a linked second-round
    case starts at the superior of its competent unit, with its own clock. After K5: 409 naming the last day."""
    moment = _now(now)
    received_on = _receipt_day(received_at, now=moment)
    superior, about = _second_level_for(case, competent_unit=competent_unit, received_on=received_on)
    if case.decided_on is not None and received_on < case.decided_on:
        raise InvalidInput(_("a second complaint cannot be received before the decision (%(day)s)")
                           % {"day": f"{case.decided_on:%d/%m/%Y}"}, field="received_at")
    if decision_received_on is not None:
        if not isinstance(decision_received_on, dt.date) or isinstance(decision_received_on, dt.datetime):
            raise InvalidInput(_("the day the decision was received must be a date"), field="decision_received_on")
        if case.decided_on is not None and not case.decided_on <= decision_received_on <= received_on:
            raise InvalidInput(_("the decision was received between its date (%(decided)s) and the second "
                                 "complaint (%(filed)s)") % {"decided": f"{case.decided_on:%d/%m/%Y}",
                                                            "filed": f"{received_on:%d/%m/%Y}"},
                               field="decision_received_on")
    case.appeal_filed_on, case.decision_received_on = received_on, decision_received_on
    window = rules.appeal_window(case) if case.decided_on else None
    payload = {**about, "received_on": received_on.isoformat()}
    if window is not None:
        payload["k5"] = {"from": (decision_received_on or case.decided_on).isoformat(), "due": window.due.isoformat(),
                         "rule": window.rule, "source": window.source}
    try:
        with transaction.atomic():
            _act(case, actor=actor, transition="appeal", action="appeal", now=moment, legal_basis="LKN Arts 7(1), 33(1)",
                 payload=payload, refusal=rules.appeal_problems)
            return _open_second_round(case, actor=actor, received_at=received_at, unit=superior, content=content,
                                      moment=moment)
    except CaseError:
        case.refresh_from_db()  # the first case as the rollback left it
        raise


def case_appeal_overdue(*, case: Case, actor, received_at: dt.datetime, competent_unit=None, content: str = "",
                        now: dt.datetime | None = None) -> Case:
    """A second complaint when the first level let its resolution period (K3) pass with no decision
    (LKN Arts 7(1), 33(1); reference §4.3 "lower level overdue"): within K5 counted from that expiry the
    complainant goes to the superior. The first case stays open — resolving it is still the lower level's
    duty — flagged ``is_escalated``; a linked second-round case starts. Not yet overdue: 409 with the due date."""
    moment = _now(now)
    received_on = _receipt_day(received_at, now=moment)
    superior, about = _second_level_for(case, competent_unit=competent_unit, received_on=received_on)
    case.appeal_filed_on = received_on
    payload = {**about, "received_on": received_on.isoformat(),
               "resolution_due": case.resolution_due.isoformat() if case.resolution_due else None}
    window = rules.overdue_window(case)
    if window is not None:
        payload["k5"] = {"from": case.resolution_due.isoformat(), "due": window.due.isoformat(), "rule": window.rule,
                         "source": window.source}
    try:
        with transaction.atomic():
            _act(case, actor=actor, transition="appeal_overdue", action="appeal_overdue", now=moment,
                 legal_basis="LKN Arts 7(1), 33(1)", payload=payload, refusal=rules.overdue_problems)
            return _open_second_round(case, actor=actor, received_at=received_at, unit=superior, content=content,
                                      moment=moment)
    except CaseError:
        case.refresh_from_db()  # the first case as the rollback left it
        raise


# --- suspension, extension, withdrawal --------------------------------------------------

def _sweep_notices(case: Case, moment: dt.datetime) -> None:
    """Bring the case's decision notices to their SLA state within the act's transaction."""
    notice_sweep.apply(now=moment, case_id=case.pk)


def _open_notice(case: Case, *, purpose: str, decision_number: str = "", grounds: dict | None = None,
                 rule=None, note: str = "", legal_source: str = "") -> CaseNotice:
    """A decision to be sent to the parties, with its clock when the law sets one (K11, T5)."""
    decided_on = case.act_on
    if rule is not None:
        due, basis = rule_due(f"notice:{purpose}", rule, decided_on)
        legal_source = rule.legal_source
    else:
        due, basis = None, {"deadline": f"notice:{purpose}", "from": decided_on.isoformat(), "note": note}
    return CaseNotice.objects.create(
        case=case, purpose=purpose, decided_on=decided_on, decision_number=decision_number, due=due,
        rule=rule.code if rule is not None else "", legal_source=legal_source[:255], basis=basis,
        grounds=grounds or {},
    )


def _notice_rule(case: Case):
    """The clock of a suspension, resumption or termination decision: K11 (complaints, from 1/7/2026), T5
    (denunciations); None where the law sets none."""
    return suspension_rule(kind=case.kind, on=case.act_on)


NO_NOTICE_PERIOD = "the law sets no time limit for sending this decision"


def _ground(choices_by_kind: dict, *, case: Case, ground: str, detail: str, field: str) -> dict:
    """The chosen legal ground, checked against the kind's list; "other" needs the text."""
    allowed = choices_by_kind.get(case.kind)
    if allowed is None:
        return {"code": ground, "text": (detail or "").strip()}
    if ground not in allowed:
        raise InvalidInput(
            _("choose one of the grounds the law gives: %(grounds)s")
            % {"grounds": "; ".join(str(choice.label) for choice in allowed)}, field=field)
    detail = (detail or "").strip()
    if ground == legal_grounds.OTHER:
        detail = _require_text(detail, field="grounds", label=_("the ground"))
    return {"code": str(ground), "text": detail}


def case_suspend(*, case: Case, actor, ground: str, grounds: str = "", decision_number: str = "",
                 now: dt.datetime | None = None) -> Case:
    """Suspend the resolution on a ground the law gives (LTC Art 34(1); complaints from 1/7/2026 LKN Art 11a,
    NĐ 124 Art 28a). The decision is sent to the parties within T5 / K11 (a CaseNotice with its clock)."""
    chosen = _ground(legal_grounds.SUSPENSION_GROUNDS, case=case, ground=ground,
                     detail=grounds, field="ground")
    decision_number = (decision_number or "").strip()

    def open_suspension(c: Case) -> None:
        c.suspensions = [*c.suspensions, [c.act_on.isoformat(), None]]

    basis = "LTC Art 34" if case.kind == CaseKind.DENUNCIATION else "NĐ 124 Art 28a (NĐ 155/2026 Art 12)"
    moment = _now(now)
    with transaction.atomic():
        _act(case, actor=actor, transition="suspend", action="suspend", now=moment, legal_basis=basis,
             payload={"ground": chosen["code"], "grounds": chosen["text"], "decision_number": decision_number},
             after=open_suspension,
             refusal=lambda c: [_("no suspension rule is in force for this kind of case on this date")])
        _open_notice(case, purpose=CaseNotice.Purpose.SUSPENSION, decision_number=decision_number, grounds=chosen,
                     rule=_notice_rule(case), note=NO_NOTICE_PERIOD)
        _sweep_notices(case, moment)
    return case


def case_resume(*, case: Case, actor, ground: str, grounds: str = "", decision_number: str = "",
                now: dt.datetime | None = None) -> Case:
    """The ground of suspension is gone: the clock runs again from the resumption decision, which is sent to
    the parties within K11 / T5 (LTC Art 34(2); NĐ 124 Art 28b as added by NĐ 155 Art 12)."""
    chosen = _ground(legal_grounds.RESUMPTION_GROUNDS, case=case, ground=ground,
                     detail=grounds, field="ground")
    decision_number = (decision_number or "").strip()

    def close_suspension(c: Case) -> None:
        periods = [list(p) for p in c.suspensions]
        if periods and periods[-1][1] is None:
            periods[-1][1] = c.act_on.isoformat()
        c.suspensions = periods
        c.suspended_from = ""

    basis = "LTC Art 34(2)" if case.kind == CaseKind.DENUNCIATION else "NĐ 124 Art 28b (NĐ 155/2026 Art 12)"
    moment = _now(now)
    with transaction.atomic():
        _act(case, actor=actor, transition="resume", action="resume", now=moment, legal_basis=basis,
             payload={"ground": chosen["code"], "grounds": chosen["text"], "decision_number": decision_number},
             after=close_suspension)
        _open_notice(case, purpose=CaseNotice.Purpose.RESUMPTION, decision_number=decision_number, grounds=chosen,
                     rule=_notice_rule(case), note=NO_NOTICE_PERIOD)
        _sweep_notices(case, moment)
    return case


def _limit_of_extension(case: Case) -> int:
    return extension_length(kind=case.kind, round=case.round, complexity=case.complexity, remote=case.is_remote,
                            on=case.accepted_on or case.act_on)


def case_extend(*, case: Case, actor, grounds: str, days: int | None = None, decision_number: str = "",
                now: dt.datetime | None = None) -> Case:
    """Extend a complex denunciation's resolution period by ``days`` (1 up to the T4 limit, 30; the full
    limit when not given). The extension decision is sent to both parties (T4): it is tracked as a
    notice, without a clock — the law sets no time limit for sending it."""
    grounds_text = _require_text(grounds, field="grounds", label=_("the grounds for the extension"))
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise InvalidInput(_("an extension adds at least one day"), field="days")
    decision_number = (decision_number or "").strip()
    payload = {"grounds": grounds_text, "extension": case.extensions + 1, "decision_number": decision_number}

    def add_days(c: Case) -> None:
        limit = _limit_of_extension(c)
        chosen = limit if days is None else days
        if chosen > limit:
            raise InvalidInput(_("an extension adds at most %(limit)d days (T4, LTC Art 30)") % {"limit": limit},
                               field="days")
        granted = c.extensions - 1  # the transition counted this one already
        earlier = [int(d) for d in c.extension_days or ()][:granted]
        earlier += [limit] * (granted - len(earlier))  # extensions recorded before their days were: in full
        c.extension_days = [*earlier, chosen]
        payload.update(days=chosen, limit=limit)
        if c.extension_requested:  # the head's extension answers the handler's pending request
            c.extension_requested = False
            payload["request_approved"] = True

    moment = _now(now)
    with transaction.atomic():
        _act(case, actor=actor, transition="extend", action="extend", now=moment,
             legal_basis="LTC Art 30; NĐ 31 Art 3", payload=payload, after=add_days,
             refusal=lambda c: [_("no further extension is allowed for this case's kind and complexity")])
        _open_notice(case, purpose=CaseNotice.Purpose.EXTENSION, decision_number=decision_number,
                     grounds={"text": grounds_text, "days": payload["days"]}, legal_source="LTC Art 30; NĐ 31 Art 3",
                     note="T4: each extension is a written decision sent to both parties; " + NO_NOTICE_PERIOD)
        _sweep_notices(case, moment)
    return case


def pending_extension_request(case: Case) -> CaseEvent | None:
    """The handler's extension request the head has not answered yet (an extension or a refusal since closes it)."""
    event = (case.events.filter(action__in=("request_extension", "extend", "refuse_extension"))
             .select_related("actor").order_by("-at", "-pk").first())
    return event if event is not None and event.action == "request_extension" else None


def case_request_extension(*, case: Case, actor, days: int, grounds: str, now: dt.datetime | None = None) -> Case:
    """The handler asks the head to extend the resolution period (T4, LTC Art 30): ``days`` within the limit
    an extension may add now, with the grounds. One request at a time; the head approves (``case_extend``
    with the requested days) or refuses it (``case_refuse_extension``)."""
    grounds_text = _require_text(grounds, field="grounds", label=_("the grounds for the extension"))
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput(_("an extension adds at least one day"), field="days")
    payload = {"days": days, "grounds": grounds_text}

    def conditions(c: Case) -> list[str]:
        if c.extension_requested or pending_extension_request(c) is not None:
            return [_("an extension request is already waiting for the head's answer")]
        if not rules.extension_allowed(c):
            return [_("no further extension is allowed for this case's kind and complexity")]
        limit = _limit_of_extension(c)
        if days > limit:
            raise InvalidInput(_("an extension adds at most %(limit)d days (T4, LTC Art 30)") % {"limit": limit},
                               field="days")
        payload["limit"] = limit
        return []

    return _record_fact(case, actor=actor, action="request_extension", statuses=RESOLVING_STATUSES,
                        permitted=policy.can_request_extension, updates={"extension_requested": True}, now=now,
                        legal_basis="LTC Art 30; NĐ 31 Art 3", refusal=conditions, payload=payload)


def case_refuse_extension(*, case: Case, actor, reason: str, now: dt.datetime | None = None) -> Case:
    """The head refuses the handler's pending extension request, with the reason; the period stays."""
    reason = _require_text(reason, field="reason", label=_("the reason for the refusal"))
    request = pending_extension_request(case)

    def no_request(c: Case) -> list[str]:
        return [] if request is not None else [_("no extension request is waiting for an answer")]

    return _record_fact(case, actor=actor, action="refuse_extension", statuses=OPEN_STATUSES,
                        permitted=policy.can_sign, updates={"extension_requested": False}, now=now,
                        refusal=no_request,
                        payload={"reason": reason, "request": request.pk if request else None,
                                 "days": (request.payload or {}).get("days") if request else None})


def case_reassess_complexity(*, case: Case, actor, complexity: str, grounds: str, criteria: Iterable[str] = (),
                             now: dt.datetime | None = None) -> Case:
    """The resolver finds the case more (or less) complex than first assessed, in writing, with the statutory
    criteria (NĐ 31 Art 3; complaints from 1/7/2026 NĐ 124 Art 3a as added by NĐ 155 Art 2). The resolution
    deadline is recomputed (a complex complaint: 45 days instead of 30), and a denunciation found complex
    becomes extendable (T4)."""
    if complexity not in Complexity.values:
        raise InvalidInput(_("unknown complexity %(value)r") % {"value": complexity}, field="complexity")
    if complexity == case.complexity:
        raise InvalidInput(_("the case is already assessed as %(level)s") % {"level": Complexity(complexity).label},
                           field="complexity")
    grounds_text = _require_text(grounds, field="grounds", label=_("the grounds for the complexity finding"))
    if isinstance(criteria, str):
        criteria = [criteria]
    chosen = []
    for code in criteria or ():
        if code not in legal_grounds.ComplexityCriterion.values:
            raise InvalidInput(_("unknown complexity criterion %(value)r") % {"value": code}, field="criteria")
        if code not in chosen:
            chosen.append(code)
    moment = _now(now)
    today = _local_date(moment)
    if complexity != Complexity.SIMPLE and legal_grounds.criteria_apply(case.kind, today):
        least = legal_grounds.MIN_CRITERIA[complexity] if case.kind == CaseKind.DENUNCIATION else 1
        if len(chosen) < least:
            raise InvalidInput(
                _("a finding of %(level)s needs at least %(n)d of the statutory criteria (NĐ 31 Art 3; "
                  "NĐ 124 Art 3a)") % {"level": Complexity(complexity).label, "n": least}, field="criteria")
    old = case.complexity
    payload = {"old": old, "new": complexity, "grounds": grounds_text, "criteria": chosen}

    def reassess(c: Case) -> None:
        allowed = extensions_allowed(kind=c.kind, round=c.round, complexity=complexity, remote=c.is_remote,
                                     on=c.accepted_on or c.act_on)
        if c.extensions > allowed:
            raise Conflict(_("%(n)d extension(s) were granted already; a case of this complexity allows %(allowed)d")
                           % {"n": c.extensions, "allowed": allowed})
        c.complexity = complexity
        c.complexity_grounds = grounds_text
        c.complexity_criteria = chosen

    legal = "LTC Art 30; NĐ 31 Art 3" if case.kind == CaseKind.DENUNCIATION else "LKN Arts 28, 37; NĐ 124 Art 3a"
    return _act(case, actor=actor, transition="reassess_complexity", action="reassess_complexity", now=moment,
                legal_basis=legal, payload=payload, after=reassess)


def case_withdraw(*, case: Case, actor, reason: str, petitioner_ids: Iterable[int] | None = None,
                  continue_resolution: bool = False, continue_ground: str = "", decision_number: str = "",
                  now: dt.datetime | None = None) -> Case:
    """Withdrawal by some or all petitioners (LKN Art 10; NĐ 155 Art 5; LTC Art 33).

    A partial withdrawal keeps the case going for the others. A full
    withdrawal ends it — once the resolution is under way, with a termination
    decision (``decision_number``) sent to the parties within K11 / T5 — except
    a denunciation continued on one of the grounds of LTC Art 33 (NĐ 156 Art 1):
    signs of a violation, a coerced or bought withdrawal, or a slander.
    """
    reason = _require_text(reason, field="reason", label=_("the withdrawal request"))
    active = list(case.petitioners.filter(withdrawn_on__isnull=True).values_list("pk", flat=True))
    try:
        chosen = set(active) if petitioner_ids is None else {int(pk) for pk in petitioner_ids}
    except (TypeError, ValueError):
        raise InvalidInput(_("choose petitioners of this case who have not withdrawn"), field="petitioner_ids") from None
    if not chosen or not chosen <= set(active):
        raise InvalidInput(_("choose petitioners of this case who have not withdrawn"), field="petitioner_ids")
    full = chosen == set(active)
    if continue_resolution and case.kind != CaseKind.DENUNCIATION:
        raise InvalidInput(_("only a denunciation continues after a full withdrawal (LTC Art 33)"),
                           field="continue_resolution")
    continue_ground = (continue_ground or "").strip()
    if continue_resolution and continue_ground not in legal_grounds.ContinueGround.values:
        raise InvalidInput(
            _("state why the denunciation continues: %(grounds)s")
            % {"grounds": "; ".join(str(c.label) for c in legal_grounds.ContinueGround)}, field="continue_ground")
    if continue_ground and not continue_resolution:
        raise InvalidInput(_("a ground for continuing applies only when the resolution continues"),
                           field="continue_ground")
    terminates = full and not continue_resolution and case.accepted_on is not None
    decision_number = (decision_number or "").strip()
    if terminates:
        decision_number = _require_text(decision_number, field="decision_number",
                                        label=_("the number of the termination decision"))
    moment = _now(now)

    def mark(c: Case) -> None:
        Petitioner.objects.filter(pk__in=chosen).update(withdrawn_on=c.act_on)
        # a mass petition is 5 or more people still in it (TT 07/2014 Art 27): it follows a partial withdrawal
        c.is_mass = c.petitioners.filter(withdrawn_on__isnull=True).count() >= MASS_PETITION_SIZE
        if terminates:
            c.termination_number = decision_number
            c.terminated_on = c.act_on

    payload = {"petitioners": sorted(chosen), "reason": reason, "full": full, "continues": continue_resolution}
    if continue_resolution:
        payload["continue_ground"] = continue_ground
    if terminates:
        payload["termination_number"] = decision_number
    legal = "LTC Art 33; NĐ 156/2026 Art 1" if case.kind == CaseKind.DENUNCIATION else "LKN Art 10; NĐ 155/2026 Art 5"
    transition = "withdraw" if full and not continue_resolution else "withdraw_partially"
    with transaction.atomic():
        _act(case, actor=actor, transition=transition, action="withdraw" if transition == "withdraw"
             else "withdraw_partially", now=moment, legal_basis=legal, payload=payload, after=mark)
        if terminates:
            _open_notice(case, purpose=CaseNotice.Purpose.TERMINATION, decision_number=decision_number,
                         grounds={"code": "withdrawn", "text": reason}, rule=_notice_rule(case),
                         note=NO_NOTICE_PERIOD + " (before 1/7/2026: written notice, TT 07/2013 Art 19)")
            _sweep_notices(case, moment)
    return case


def case_send_decision_notice(*, case: Case, actor, notice, now: dt.datetime | None = None) -> Case:
    """The decision was sent to the parties: its clock stops. For a complaint's termination the K8 lapse
    starts: 30 days after the notice a later complaint on the same matter is not accepted (LKN Art 11(8))."""
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    if not isinstance(notice, CaseNotice):
        notice = _resolve(CaseNotice, notice, label=_("decision notice"), field="notice")
    if notice is None or notice.case_id != case.pk:
        raise NotFound(_("this decision does not belong to the case"), field="notice")
    moment = _now(now)
    sent_on = _local_date(moment)
    updates, payload = {}, {"notice": notice.pk, "purpose": notice.purpose, "decided_on": notice.decided_on.isoformat(),
                            "due": notice.due.isoformat() if notice.due else None,
                            "late": bool(notice.due and sent_on > notice.due)}
    lapse = None
    if notice.purpose == CaseNotice.Purpose.TERMINATION and case.kind == CaseKind.COMPLAINT:
        rule = find_rule(kind=CaseKind.COMPLAINT, deadline_type=DeadlineType.OTHER, on=sent_on, code="K8")
        if rule is not None:
            updates["lapse_on"], lapse = rule_due("lapse", rule, sent_on)
            payload["lapse_on"] = updates["lapse_on"].isoformat()

    def already_sent(c: Case) -> list[str]:
        if CaseNotice.objects.filter(pk=notice.pk, sent_on__isnull=False).exists():
            return [_("this decision was already recorded as sent")]
        return []

    def mark_sent(c: Case) -> None:
        basis = {**notice.basis, "lapse": lapse} if lapse else notice.basis
        CaseNotice.objects.filter(pk=notice.pk).update(sent_on=sent_on, basis=basis)

    with transaction.atomic():
        _record_fact(case, actor=actor, action="send_decision_notice", statuses=tuple(Status), permitted=policy.can_handle,
                     updates=updates, now=moment, legal_basis=notice.legal_source, payload=payload,
                     refusal=already_sent, after=mark_sent)
        _sweep_notices(case, moment)
    notice.refresh_from_db()
    return case
