"""One service per legal act on a case.

Every act runs in one transaction: the FSM transition (the single gate on
``status``), the recomputed deadlines, the append-only ``CaseEvent`` row and
the case's SLA state. Outside effects (letters, messages) belong on
``transaction.on_commit``; none exists yet. Views, admin, flows and Celery
tasks all call these functions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from access import policy
from deadlines import clock
from deadlines.engine import DeadlineInput, compute_deadlines
from deadlines.models import CaseKind, Complexity
from organisation.models import Unit

from . import documents, events, formats, rules
from .errors import CaseError, Conflict, Forbidden, InvalidInput, NotFound
from .models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseLink,
    Channel,
    Petitioner,
    Status,
    Topic,
)
from .rules import MASS_PETITION_SIZE
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
    "record_dialogue": gettext_lazy("record the dialogue"),
    "record_draft": gettext_lazy("record the draft decision"),
    "decide": gettext_lazy("decide"),
    "close": gettext_lazy("close"),
    "appeal": gettext_lazy("record a second complaint"),
    "suspend": gettext_lazy("suspend"),
    "resume": gettext_lazy("resume"),
    "extend": gettext_lazy("extend"),
    "send_notices": gettext_lazy("record the notices"),
    "recompute_deadlines": gettext_lazy("recompute the deadlines after a rule or calendar change"),
    "attach": gettext_lazy("file a document"),
    "withdraw": gettext_lazy("record the withdrawal"),
    "withdraw_partially": gettext_lazy("record the partial withdrawal"),
}


def act_label(action: str) -> str:
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
)
# What ``recompute_deadlines`` stores on the case (a new stored due date = one line here too).
DEADLINE_OUTPUT_COLUMNS = ("acceptance_due", "acceptance_alert_due", "resolution_due", "notice_due",
                           "deadline_basis")


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
        suspensions=suspensions,
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
    case.notice_due = result.notice_due if case.accepted_on else None
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
    "notice_due", "accepted_on", "decided_on", "closed_on", "notice_sent_on", "extensions", "dialogue_held",
    "findings_differ", "identity_protected", "is_anonymous", "is_remote", "is_multi_site", "is_over_level",
    "is_mass", "is_duplicate", "is_refiled", "is_backlogged", "is_prolonged", "sla_state",
    # and every column classification may set (its event records them like any other)
    "complexity_grounds", "respondent_number", "respondent_date", "respondent_issuer", "respondent_act", "accused",
    # the stricter reading's date alerts use where the rule changed during the acceptance window (reference §9)
    "acceptance_alert_due",
)


def _snapshot(case: Case) -> dict:
    return {name: _plain(getattr(case, Case._meta.get_field(name).attname)) for name in TRACKED_COLUMNS}


def _changes(before: dict, case: Case) -> dict:
    after = _snapshot(case)
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def _record(case: Case, *, actor, action: str, from_status: str, at: dt.datetime, legal_basis: str = "", payload=None,
            changes: dict | None = None, workflow: bool = True):
    """Write the act's event and publish it (in the act's transaction)."""
    payload = dict(payload or {})
    if changes:
        payload["changes"] = changes
    event = CaseEvent.objects.create(
        case=case,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=case.status,
        legal_basis=legal_basis,
        payload=payload,
    )
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
            _("cannot %(act)s: the case is %(status)s") % {"act": act_label(action), "status": case.get_status_display()},
            details={"status": from_status, "action": action},
        )
    if not _transition_permitted(method, actor):
        raise Forbidden(_("you are not allowed to %(act)s in this case") % {"act": act_label(action)})
    try:
        with transaction.atomic():
            events.begin(case)
            before = _snapshot(case)
            if not meta.conditions_met(case, from_status):
                reasons = refusal(case) if refusal else []
                raise Conflict(
                    "; ".join(str(r) for r in reasons)
                    or _("the legal conditions to %(act)s are not met") % {"act": act_label(action)},
                    details={"status": from_status, "action": action, "reasons": reasons},
                )
            method()
            if after:
                after(case)
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
    if previous_round is not None and round != 2:
        raise InvalidInput(_("only a second-round complaint links to a first-round case"), field="previous_round")


RELATED_CANDIDATES = 5


def _find_related_cases(*, people: list[Petitioner], kind, respondent_number, accused, topic) -> list[Case]:
    """Open or finally resolved cases by the same person on the same respondent or subject, newest first.

    The same person: the same ID number or phone, or — for someone who gave no
    ID number — the same name against the same contested decision or accused
    (conservative: a name alone is common). Identities are encrypted, so the
    match runs on their blind indexes (``cases.crypto``), in one query.
    """
    ids = sorted({p.id_number_digest for p in people if p.id_number_digest})
    phones = sorted({p.phone_digest for p in people if p.phone_digest})
    names = sorted({p.name_digest for p in people if p.name_digest and not p.id_number_digest})
    same_respondent = Q()
    if (respondent_number or "").strip():
        same_respondent |= Q(respondent_number=respondent_number.strip())
    if (accused or "").strip():
        same_respondent |= Q(accused=accused.strip())
    same_subject = (same_respondent | Q(topic=topic)) if topic is not None else same_respondent
    match = Q()
    if same_subject and (ids or phones):
        who = (Q(id_number_digest__in=ids) if ids else Q()) | (Q(phone_digest__in=phones) if phones else Q())
        match |= same_subject & Q(pk__in=Petitioner.objects.filter(who).values("case_id"))
    if same_respondent and names:
        match |= same_respondent & Q(pk__in=Petitioner.objects.filter(name_digest__in=names).values("case_id"))
    if not match:
        return []
    return list(
        Case.objects.filter(match, kind=kind)
        .filter(status__in=(*OPEN_STATUSES, Status.CLOSED, Status.GUIDED, Status.APPEALED))
        .order_by("-received_at", "-pk")
        .select_related("competent_unit")[:RELATED_CANDIDATES]
    )


def _over_level(receiving: Unit, competent: Unit | None, related: Case | None, today: dt.date) -> bool:
    """Vượt cấp: a unit above the competent one received it while the lower level is still in time.

    The lower level "has acted" when its case is decided or closed, and has
    "run out of time" when its resolution (or acceptance) date has passed.
    """
    if competent is None or competent.pk == receiving.pk or not receiving.is_ancestor_of(competent):
        return False
    if related is None or related.competent_unit_id != competent.pk:
        return True
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
    round: int = 1,
    previous_round=None,
    complexity: str = Complexity.SIMPLE,
    complexity_grounds: str = "",
    is_signed: bool = True,
    is_anonymous: bool = False,
    is_multi_site: bool = False,
    identity_protected: bool = False,
    now: dt.datetime | None = None,
    start_process: bool = True,
) -> IntakeResult:
    """Log a petition at the reception desk (walk-in, mail, phone, web …).

    A denunciation is always identity-protected; ``identity_protected`` carries
    the protection over to a case made from a protected one (a second round).
    """
    moment = _now(now)
    receiving_unit = _resolve(Unit, receiving_unit, label=_("receiving unit"), field="receiving_unit")
    if receiving_unit is None:
        raise InvalidInput(_("the receiving unit is required"), field="receiving_unit")
    competent_unit = _resolve(Unit, competent_unit, label=_("competent unit"), field="competent_unit") or receiving_unit
    topic = _resolve(Topic, topic, label=_("field / topic"), field="topic")
    previous_round = _resolve(Case, previous_round, label=_("first-round case"), field="previous_round")
    petitioners = list(petitioners or [])
    _validate_intake(
        kind=kind, channel=channel, received_at=received_at, now=moment, receiving_unit=receiving_unit,
        competent_unit=competent_unit, content=content, petitioners=petitioners,
        respondent_number=respondent_number, respondent_date=respondent_date, respondent_act=respondent_act,
        accused=accused, round=round, previous_round=previous_round, complexity=complexity, is_signed=is_signed,
        is_anonymous=is_anonymous,
    )
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
        is_remote=competent_unit.is_remote,
        is_multi_site=is_multi_site,
        is_anonymous=is_anonymous,
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
    links = [CaseLink(related=other, kind=CaseLink.Kind.DUPLICATE, found_at=moment, visible_to_unit=competent_unit)
             for other in hidden]
    payload = {
        "channel": channel,
        "petitioners": len(people),
        "flags": {
            "mass": case.is_mass,
            "duplicate_of": related.pk if related else None,
            "over_level": case.is_over_level,
            "refiled": case.is_refiled,
        },
    }
    # A tracking-code collision (1 in 32**12) retries the whole intake rather
    # than paying a savepoint on every intake.
    for attempt in range(3):
        case.tracking_code = new_tracking_code()
        case.pin_hash = hash_pin(case.tracking_code, pin)
        try:
            with transaction.atomic():
                _save_intake(case, people, links, actor=actor, moment=moment, payload=payload,
                             start_process=start_process, refresh_sla=quiet is None)
            return IntakeResult(case=case, pin=pin)
        except IntegrityError:
            case.pk = None
            if not Case.objects.filter(tracking_code=case.tracking_code).exists():
                raise
    raise Conflict(_("could not allocate a tracking code; try again"))


def _save_intake(case: Case, people: list[Petitioner], links: list[CaseLink], *, actor, moment, payload,
                 start_process: bool, refresh_sla: bool) -> None:
    case.save(force_insert=True)
    for person in people:
        person.case = case  # their digests were set when they were built
    Petitioner.objects.bulk_create(people)
    if links:
        for link in links:
            link.case = case
        CaseLink.objects.bulk_create(links)
    _record(case, actor=actor, action="intake", from_status="", at=moment,
            legal_basis="LTCD 42/2013 Art 26; TT 07/2014 Art 6", payload=payload, changes=_changes({}, case),
            workflow=start_process)
    if refresh_sla:
        _refresh_sla(case, moment)


# --- classification and acceptance ------------------------------------------------

CLASSIFIABLE_FIELDS = {
    "kind", "topic", "competent_unit", "complexity", "complexity_grounds", "is_multi_site", "respondent_number",
    "respondent_date", "respondent_issuer", "respondent_act", "accused", "is_anonymous",
}


def case_classify(*, case: Case, actor, now: dt.datetime | None = None, **changes) -> Case:
    """Reception fixes the classification axes of TT 07/2014 Art 6 before acceptance."""
    unknown = set(changes) - CLASSIFIABLE_FIELDS
    if unknown:
        raise InvalidInput(_("cannot classify fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "kind" in changes and changes["kind"] not in CaseKind.values:
        raise InvalidInput(_("unknown kind %(value)r") % {"value": changes["kind"]}, field="kind")
    if "complexity" in changes and changes["complexity"] not in Complexity.values:
        raise InvalidInput(_("unknown complexity %(value)r") % {"value": changes["complexity"]}, field="complexity")
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
    if "topic" in changes:
        changes["topic"] = _resolve(Topic, changes["topic"], label=_("field / topic"), field="topic")
    def apply(c: Case) -> None:
        for name, value in changes.items():
            setattr(c, name, value)
        # Once a denunciation, always protected: reclassifying never exposes a denouncer (reference §5).
        c.identity_protected = c.identity_protected or c.kind == CaseKind.DENUNCIATION
        if c.competent_unit_id:
            c.is_remote = c.competent_unit.is_remote

    return _act(
        case, actor=actor, transition="classify", action="classify", now=moment,
        legal_basis="TT 07/2014 Art 6", after=apply,
    )


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def case_accept(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    basis = "LKN Arts 27, 36; NĐ 155/2026 Art 10" if case.kind == CaseKind.COMPLAINT else "LTC Arts 24, 29"

    def set_accepted(c: Case) -> None:
        c.accepted_on = c.act_on

    return _act(case, actor=actor, transition="accept", action="accept", now=now, legal_basis=basis,
                after=set_accepted, refusal=rules.acceptance_problems)


def case_refuse(*, case: Case, actor, reason: str, now: dt.datetime | None = None) -> Case:
    reason = _require_text(reason, field="reason", label=_("the reason for not accepting"))

    def set_reason(c: Case) -> None:
        c.status_reason = reason

    return _act(case, actor=actor, transition="refuse", action="refuse", now=now, legal_basis="LKN Art 11; LTC Art 24",
                payload={"reason": reason}, after=set_reason)


def case_forward(*, case: Case, actor, to_body: str, reason: str = "", now: dt.datetime | None = None) -> Case:
    to_body = _require_text(to_body, field="to_body", label=_("the body it is forwarded to"))

    def set_reason(c: Case) -> None:
        c.status_reason = reason or to_body

    return _act(case, actor=actor, transition="forward", action="forward", now=now,
                legal_basis="TT 07/2014 Art 8; LTC Art 24(2)", payload={"to_body": to_body, "reason": reason},
                after=set_reason)


def case_guide(*, case: Case, actor, instructions: str, now: dt.datetime | None = None) -> Case:
    instructions = _require_text(instructions, field="instructions", label=_("the instructions"))

    def set_reason(c: Case) -> None:
        c.status_reason = instructions

    return _act(case, actor=actor, transition="guide", action="guide", now=now, legal_basis="TT 07/2014 Art 8",
                payload={"instructions": instructions}, after=set_reason,
                refusal=lambda c: [_("instructions on this content were already given once; archive it instead")])


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


def case_start_dialogue(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    return _act(case, actor=actor, transition="start_dialogue", action="start_dialogue", now=now,
                legal_basis="LKN Arts 30, 39; NĐ 124 Art 28")


def _record_fact(case: Case, *, actor, action: str, statuses, permitted: Callable, updates: dict,
                 now: dt.datetime | None, legal_basis: str = "", payload: dict | None = None) -> Case:
    """A recorded act that keeps the status (findings, minutes, a draft): same gate, same trace.

    The UPDATE is guarded by ``version`` and ``status``, so a stale copy
    is refused exactly like a stale transition.
    """
    if case.status not in statuses:
        raise Conflict(
            _("cannot %(act)s: the case is %(status)s") % {"act": act_label(action), "status": case.get_status_display()},
            details={"status": case.status, "action": action},
        )
    if not permitted(case, actor):
        raise Forbidden(_("you are not allowed to %(act)s in this case") % {"act": act_label(action)})
    moment = _now(now)
    with transaction.atomic():
        events.begin(case)
        before = _snapshot(case)
        updated = Case.objects.filter(pk=case.pk, version=case.version, status=case.status).update(
            version=case.version + 1, updated_at=moment, **updates
        )
        if not updated:
            raise Conflict(_("the case was changed by someone else; reload it and try again"))
        case.refresh_from_db()
        _record(case, actor=actor, action=action, from_status=case.status, at=moment,
                legal_basis=legal_basis, payload=payload, changes=_changes(before, case))
    return case


def case_record_verification(*, case: Case, actor, findings: str, findings_differ: bool,
                             now: dt.datetime | None = None) -> Case:
    """The handler's verification findings; whether they differ from the demand decides the dialogue (LKN Art 30)."""
    findings = _require_text(findings, field="findings", label=_("the verification findings"))
    return _record_fact(case, actor=actor, action="record_verification", statuses=(Status.IN_VERIFICATION,),
                        permitted=policy.can_handle, updates={"findings_differ": bool(findings_differ)}, now=now,
                        legal_basis="LKN Art 29; LTC Art 31",
                        payload={"findings": findings, "findings_differ": bool(findings_differ)})


def case_record_dialogue(*, case: Case, actor, minutes: str = "", now: dt.datetime | None = None) -> Case:
    """The dialogue was held (minutes recorded); the case stays in dialogue until decided."""
    return _record_fact(case, actor=actor, action="record_dialogue", statuses=(Status.IN_DIALOGUE,),
                        permitted=policy.can_handle, updates={"dialogue_held": True}, now=now,
                        legal_basis="LKN Arts 30, 39", payload={"minutes": minutes})


def case_record_draft(*, case: Case, actor, decision_number: str, summary: str, outcome: str = "",
                      now: dt.datetime | None = None) -> Case:
    """The handler's draft decision, waiting for the head's signature."""
    summary = _require_text(summary, field="summary", label=_("the decision summary"))
    return _record_fact(case, actor=actor, action="record_draft", statuses=(Status.IN_VERIFICATION, Status.IN_DIALOGUE),
                        permitted=policy.can_handle, updates={}, now=now,
                        payload={"decision_number": (decision_number or "").strip(), "summary": summary,
                                 "outcome": outcome})


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


def case_decide(*, case: Case, actor, decision_number: str, summary: str, outcome: str = "",
                now: dt.datetime | None = None) -> Case:
    decision_number = _require_text(decision_number, field="decision_number", label=_("the decision number"))
    summary = _require_text(summary, field="summary", label=_("the decision summary"))

    def set_decided(c: Case) -> None:
        c.decided_on = c.act_on

    return _act(case, actor=actor, transition="decide", action="decide", now=now,
                legal_basis="LKN Arts 31, 40; LTC Art 35",
                payload={"decision_number": decision_number, "summary": summary, "outcome": outcome},
                after=set_decided,
                refusal=lambda c: [_("the law requires a dialogue before this decision (LKN Arts 30, 39)")])


def case_close(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    def set_closed(c: Case) -> None:
        c.closed_on = c.act_on

    return _act(case, actor=actor, transition="close", action="close", now=now, after=set_closed)


def case_send_notices(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    """Notices of acceptance went to the parties (T3: denouncer and accused, 5 working days)."""
    def set_sent(c: Case) -> None:
        c.notice_sent_on = c.act_on

    if case.notice_sent_on:
        raise Conflict(_("the notices were already sent"))
    return _act(case, actor=actor, transition="send_notices", action="send_notices", now=now,
                legal_basis="LTC Art 29(3); NĐ 31 Art 9(2)", after=set_sent)


def case_appeal(*, case: Case, actor, received_at: dt.datetime, competent_unit, content: str = "",
                now: dt.datetime | None = None) -> Case:
    """A second complaint against the first decision: the first case is marked appealed and a
    linked second-round case starts with its own clock (LKN Art 33)."""
    moment = _now(now)
    competent_unit = _resolve(Unit, competent_unit, label=_("competent unit"), field="competent_unit")
    if competent_unit is None:
        raise InvalidInput(_("the second-level resolver is required"), field="competent_unit")
    with transaction.atomic():
        _act(case, actor=actor, transition="appeal", action="appeal", now=moment, legal_basis="LKN Art 33",
             payload={"second_round_unit": competent_unit.pk},
             refusal=lambda c: [_("only a first-time complaint decision can be appealed")])
        people = list(case.petitioners.filter(withdrawn_on__isnull=True).values(
            "full_name", "id_number", "id_kind", "phone", "address", "is_representative", "has_signed"))
        second = case_intake(
            actor=actor, kind=case.kind, channel=case.channel, received_at=received_at,
            receiving_unit=competent_unit, competent_unit=competent_unit, topic=case.topic,
            content=content or case.content, petitioners=people, respondent_number=case.respondent_number,
            respondent_date=case.respondent_date, respondent_issuer=case.respondent_issuer,
            respondent_act=case.respondent_act, round=2, previous_round=case, complexity=case.complexity,
            complexity_grounds=case.complexity_grounds, identity_protected=case.identity_protected, now=moment,
        ).case
    return second


# --- suspension, extension, withdrawal --------------------------------------------------

def case_suspend(*, case: Case, actor, grounds: str, now: dt.datetime | None = None) -> Case:
    grounds = _require_text(grounds, field="grounds", label=_("the grounds for suspension"))

    def open_suspension(c: Case) -> None:
        c.suspensions = [*c.suspensions, [c.act_on.isoformat(), None]]

    basis = "LTC Art 34" if case.kind == CaseKind.DENUNCIATION else "NĐ 124 Art 28a (NĐ 155/2026 Art 12)"
    return _act(case, actor=actor, transition="suspend", action="suspend", now=now, legal_basis=basis,
                payload={"grounds": grounds}, after=open_suspension,
                refusal=lambda c: [_("no suspension rule is in force for this kind of case on this date")])


def case_resume(*, case: Case, actor, now: dt.datetime | None = None) -> Case:
    def close_suspension(c: Case) -> None:
        periods = [list(p) for p in c.suspensions]
        if periods and periods[-1][1] is None:
            periods[-1][1] = c.act_on.isoformat()
        c.suspensions = periods
        c.suspended_from = ""

    basis = "LTC Art 34(2)" if case.kind == CaseKind.DENUNCIATION else "NĐ 124 Art 28b (NĐ 155/2026 Art 12)"
    return _act(case, actor=actor, transition="resume", action="resume", now=now, legal_basis=basis,
                after=close_suspension)


def case_extend(*, case: Case, actor, grounds: str, now: dt.datetime | None = None) -> Case:
    grounds = _require_text(grounds, field="grounds", label=_("the grounds for the extension"))
    return _act(case, actor=actor, transition="extend", action="extend", now=now, legal_basis="LTC Art 30; NĐ 31 Art 3",
                payload={"grounds": grounds, "extension": case.extensions + 1},
                refusal=lambda c: [_("no further extension is allowed for this case's kind and complexity")])


def case_withdraw(*, case: Case, actor, reason: str, petitioner_ids: Iterable[int] | None = None,
                  continue_resolution: bool = False, now: dt.datetime | None = None) -> Case:
    """Withdrawal by some or all petitioners (LKN Art 10; NĐ 155 Art 5; LTC Art 33).

    A partial withdrawal keeps the case going for the others. A full
    withdrawal ends it, except a denunciation whose conduct shows signs of
    a violation (or whose withdrawal was coerced): it goes on.
    """
    reason = _require_text(reason, field="reason", label=_("the withdrawal request"))
    active = list(case.petitioners.filter(withdrawn_on__isnull=True).values_list("pk", flat=True))
    chosen = set(active) if petitioner_ids is None else {int(pk) for pk in petitioner_ids}
    if not chosen or not chosen <= set(active):
        raise InvalidInput(_("choose petitioners of this case who have not withdrawn"), field="petitioner_ids")
    full = chosen == set(active)
    if continue_resolution and case.kind != CaseKind.DENUNCIATION:
        raise InvalidInput(_("only a denunciation continues after a full withdrawal (LTC Art 33)"),
                           field="continue_resolution")
    moment = _now(now)

    def mark(c: Case) -> None:
        Petitioner.objects.filter(pk__in=chosen).update(withdrawn_on=c.act_on)

    payload = {"petitioners": sorted(chosen), "reason": reason, "full": full, "continues": continue_resolution}
    legal = "LTC Art 33; NĐ 156/2026 Art 1" if case.kind == CaseKind.DENUNCIATION else "LKN Art 10; NĐ 155/2026 Art 5"
    transition = "withdraw" if full and not continue_resolution else "withdraw_partially"
    return _act(case, actor=actor, transition=transition, action="withdraw" if transition == "withdraw"
                else "withdraw_partially", now=moment, legal_basis=legal, payload=payload, after=mark)
