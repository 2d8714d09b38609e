"""The one access policy: who acts for which units, what they may see, what they may do now.

Every surface — pages, viewflow's lists and task pages, the admin, selectors,
intake, letters, exports, the API — asks this module and nothing else.

* A user acts through **memberships** (role × unit, valid between two dates).
  A role held in unit U counts for U and every unit below it, never elsewhere.
  The Django ``is_superuser`` flag gives no right over cases or identities:
  it only opens the admin, where this policy decides again.
* The **system administrator** is an ``admin`` member of a root unit: the only
  one who manages users and memberships (never their own).
* A **denouncer's identity** (reference §5) is shown only to the reception
  officers and head of the receiving unit, the head of the competent unit and
  the assigned handler — the officers the law names, in those exact units.
* Memberships are read once per request (cached on the user object).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from config.db import prepared_cursor
from deadlines import clock
from organisation.models import Membership, Role, Unit

#: The roles that take legal acts (an ``admin`` only administers).
OFFICIAL_ROLES = (Role.RECEPTION, Role.HANDLER, Role.HEAD)


def legal_today() -> dt.date:
    """Today in Asia/Ho_Chi_Minh, whatever timezone a request activated."""
    return clock.legal_today()


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str
    is_root: bool


class Access:
    """What one user may do, computed from their memberships valid today (one query, cached)."""

    def __init__(self, user, grants: tuple[Grant, ...], units_below: dict[int, frozenset[str]] | None = None):
        self.user = user
        self.grants = grants
        # unit id → roles the user holds there (through that unit or one above it), read with the grants
        self._units_below = units_below or {}

    @property
    def is_staff_member(self) -> bool:
        return bool(self.grants)

    def roles_in(self, unit) -> frozenset[str]:
        unit_id = getattr(unit, "pk", unit)
        if unit_id is None:
            return frozenset()
        return self._units_below.get(unit_id, frozenset())

    def roles_held_exactly_in(self, unit) -> frozenset[str]:
        unit_id = getattr(unit, "pk", unit)
        return frozenset(g.role for g in self.grants if g.unit_id == unit_id)

    def unit_ids(self, roles: Iterable[str] | None = None) -> set[int]:
        """Units (with those below them) where the user holds one of ``roles`` (any role if None)."""
        wanted = set(roles) if roles is not None else None
        return {uid for uid, held in self._units_below.items() if wanted is None or held & wanted}

    def own_unit_ids(self, roles: Iterable[str] | None = None) -> set[int]:
        """Units where the user holds one of ``roles`` directly (the work queues)."""
        wanted = set(roles) if roles is not None else None
        return {g.unit_id for g in self.grants if wanted is None or g.role in wanted}

    @property
    def is_system_admin(self) -> bool:
        return any(g.role == Role.ADMIN and g.is_root for g in self.grants)


def _load_with_units(user, on: dt.date) -> tuple[tuple[Grant, ...], dict[int, frozenset[str]]]:
    """The grants valid on ``on`` and every unit at or below them, in one query: each page asks the
    policy, so a second round trip for the units below was paid on every page."""
    membership, unit = Membership._meta.db_table, Unit._meta.db_table
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT m.unit_id, g.path, m.role, g.parent_id, u.id, u.path FROM {membership} m "
            f"JOIN {unit} g ON g.id = m.unit_id JOIN {unit} u ON u.path LIKE g.path || '%%' "
            "WHERE m.user_id = %s AND (m.valid_from IS NULL OR m.valid_from <= %s) "
            "AND (m.valid_to IS NULL OR m.valid_to >= %s)",
            [user.pk, on, on],
        )
        rows = cursor.fetchall()
    grants = tuple(dict.fromkeys(Grant(uid, path, role, parent is None) for uid, path, role, parent, _, _ in rows))
    roles: dict[int, set[str]] = {}
    for _uid, _path, role, _parent, below_id, below_path in rows:
        roles.setdefault(below_id, set()).add(role)
    return grants, {unit_id: frozenset(held) for unit_id, held in roles.items()}


def access_for(user) -> Access:
    """The user's access, read once and kept on the user object (one per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return Access(user, ())
    cached = getattr(user, "_access_policy", None)
    if cached is None:
        cached = Access(user, *_load_with_units(user, legal_today()))
        user._access_policy = cached
    return cached


def forget(user) -> None:
    """Drop the cached access (after a membership change in the same request)."""
    if user is not None and hasattr(user, "_access_policy"):
        del user._access_policy


# --- roles ----------------------------------------------------------------------------

def has_role(user, units: Iterable, roles: Iterable[str]) -> bool:
    """The user holds one of ``roles`` in one of ``units`` or a unit above it."""
    access = access_for(user)
    wanted = set(roles)
    return any(access.roles_in(unit) & wanted for unit in units if unit is not None)


def holds_role_exactly(user, units: Iterable, roles: Iterable[str]) -> bool:
    """Strictly in those units (for the secrets the law gives to named officers)."""
    access = access_for(user)
    wanted = set(roles)
    return any(access.roles_held_exactly_in(unit) & wanted for unit in units if unit is not None)


def is_system_admin(user) -> bool:
    return access_for(user).is_system_admin


def is_staff_member(user) -> bool:
    return access_for(user).is_staff_member


# --- administration ---------------------------------------------------------------------

def may_change_account(actor, user) -> bool:
    """Accounts and memberships are changed by a system administrator, and never their own:
    nobody can raise their own rights, whatever Django flags they hold."""
    target = getattr(user, "pk", user)
    return is_system_admin(actor) and target is not None and target != getattr(actor, "pk", None)


def organisation_unit_ids(user) -> set[int]:
    """Units (and those below) whose organisation chart and memberships a head or administrator may look at."""
    return access_for(user).unit_ids([Role.HEAD, Role.ADMIN])


def membership_log_unit_ids(user) -> set[int]:
    """Units whose membership changes the user is shown: heads of the unit or one above it,
    and the system administrator for the whole tree under their root."""
    access = access_for(user)
    ids = access.unit_ids([Role.HEAD])
    if access.is_system_admin:
        ids |= access.unit_ids([Role.ADMIN])
    return ids


def identity_audit_q(user, *, prefix: str = "case__") -> Q:
    """Who looked at which denouncer (``IdentityAccess``): shown to the heads of the case's units
    (and above) and to the system administrator, for oversight (reference §5)."""
    roles = [Role.HEAD, Role.ADMIN] if is_system_admin(user) else [Role.HEAD]
    return case_q(user, prefix=prefix, roles=roles)


def may_audit_identities(user) -> bool:
    return is_system_admin(user) or bool(access_for(user).unit_ids([Role.HEAD]))


# --- scopes ---------------------------------------------------------------------------

def case_q(user, *, prefix: str = "", roles: Iterable[str] | None = None) -> Q:
    """Cases received by or competent in one of the user's units (or below): a ``Q`` on ``prefix``."""
    unit_ids = access_for(user).unit_ids(roles)
    if not unit_ids:
        return Q(pk__in=[])
    ids = sorted(unit_ids)
    return Q(**{f"{prefix}receiving_unit_id__in": ids}) | Q(**{f"{prefix}competent_unit_id__in": ids})


def process_q(user) -> Q:
    return case_q(user, prefix="case__")


def task_q(user) -> Q:
    return case_q(user, prefix="process__caseprocess__case__")


def case_unit_id(case) -> int:
    """The unit that acts on the case: the competent one, else the receiving one."""
    return case.competent_unit_id or case.receiving_unit_id


def task_token(role: str, unit_id: int) -> str:
    """What a queued task asks for: ``role@unit``."""
    return f"{role}@{unit_id}"


def queue_q(user) -> Q:
    """Tasks waiting for one of the user's roles in the units where they hold it directly, or their own."""
    access = access_for(user)
    tokens = sorted(task_token(g.role, g.unit_id) for g in access.grants)
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(owner=user) | Q(owner_permission__in=tokens)


def may_take(user, owner_permission: str | None) -> bool:
    """A queued task asks for ``role@unit``; the role held in that unit or one above it qualifies."""
    if not owner_permission or "@" not in owner_permission:
        return False
    role, _at, unit = owner_permission.partition("@")
    try:
        unit_id = int(unit)
    except ValueError:
        return False
    return role in access_for(user).roles_in(unit_id)


def may_work_on(user, task) -> bool:
    """The user holds the task, or it waits unclaimed for a role the user holds there."""
    if task.owner_id is not None:
        return task.owner_id == getattr(user, "pk", None)
    return may_take(user, task.owner_permission)


def may_view_case(user, case) -> bool:
    access = access_for(user)
    return bool(access.roles_in(case.receiving_unit_id) or access.roles_in(case.competent_unit_id))


# --- acts -----------------------------------------------------------------------------

def _units_of_case(case) -> list[int]:
    return [case.receiving_unit_id, case.competent_unit_id]


def _acting_unit(case) -> list[int]:
    return [case_unit_id(case)]


def can_classify(case, user) -> bool:
    return has_role(user, _units_of_case(case), [Role.RECEPTION, Role.HEAD])


can_route = can_classify


def can_decide_acceptance(case, user) -> bool:
    return has_role(user, _acting_unit(case), [Role.HEAD])


can_assign = can_decide_acceptance
can_sign = can_decide_acceptance


def can_handle(case, user) -> bool:
    """The assigned handler works the case; a head of its unit may step in."""
    if user is not None and case.handler_id is not None and case.handler_id == getattr(user, "pk", None):
        return has_role(user, _acting_unit(case), [Role.HANDLER, Role.HEAD])
    return has_role(user, _acting_unit(case), [Role.HEAD])


def can_request_extension(case, user) -> bool:
    """Only the case's own handler asks the head for an extension (the head extends directly)."""
    return (user is not None and case.handler_id is not None and case.handler_id == getattr(user, "pk", None)
            and has_role(user, _acting_unit(case), [Role.HANDLER, Role.HEAD]))


def _may_request_extension_now(case, user) -> bool:
    from cases import rules

    return not case.extension_requested and can_request_extension(case, user) and rules.extension_allowed(case)


def _may_approve_extension(case, user) -> bool:
    from cases import rules

    return case.extension_requested and can_sign(case, user) and rules.extension_allowed(case)


def _may_refuse_extension(case, user) -> bool:
    return case.extension_requested and can_sign(case, user)


def can_remind(case, user) -> bool:
    """A head of the case's unit (or above) reminds its handler; the handler does not remind himself."""
    return case.handler_id != getattr(user, "pk", None) and has_role(user, _acting_unit(case), [Role.HEAD])


def may_remind(case, user) -> bool:
    return case.handler_id is not None and can_remind(case, user)


def _may_return_draft(case, user) -> bool:
    if not can_sign(case, user):
        return False
    last = _last_event(case, ("record_draft", "return_draft"))
    return last is not None and last.action == "record_draft"


def _last_event(case, actions):
    """The case's latest event among ``actions``: from its prefetched events when the page loaded them."""
    loaded = getattr(case, "_prefetched_objects_cache", {}).get("events")
    if loaded is not None:
        return max((e for e in loaded if e.action in actions), key=lambda e: (e.at, e.pk), default=None)
    return case.events.filter(action__in=actions).order_by("-at", "-pk").first()


def can_record_appeal(case, user) -> bool:
    """A second complaint is lodged with the second level — a unit above the first level's — whose
    reception desk or head records it there (and opens the second-round case in their unit)."""
    unit = case.competent_unit or case.receiving_unit
    above = [int(part) for part in unit.path.strip("/").split("/") if part and int(part) != unit.pk]
    return has_role(user, above, [Role.RECEPTION, Role.HEAD])


def can_file_documents(case, user) -> bool:
    return has_role(user, _units_of_case(case), OFFICIAL_ROLES)


can_record_withdrawal = can_file_documents


@dataclass(frozen=True)
class IntakeClient:
    """A machine client (an Open311 API key) that may log petitions for its unit and the units below it.

    It holds no membership and is not a user: it sees no case and no identity, and
    takes no other act. Events record no actor for it (the channel says where the
    petition came from).
    """

    name: str
    unit_id: int
    unit_path: str

    is_authenticated = False
    is_active = True
    pk = None


def can_log_petition(user, receiving_unit) -> bool:
    if isinstance(user, IntakeClient):
        path = getattr(receiving_unit, "path", "")
        return bool(path) and path.startswith(user.unit_path)
    return has_role(user, [receiving_unit], [Role.RECEPTION, Role.HEAD])


def intake_unit_ids(user) -> set[int]:
    """Units where the user may log a petition."""
    return access_for(user).unit_ids([Role.RECEPTION, Role.HEAD])


def may_be_handler(user, case) -> bool:
    """Who may be given the case: a handler or head of its acting unit (directly, not from above)."""
    return holds_role_exactly(user, _acting_unit(case), [Role.HANDLER, Role.HEAD])


def handlers_q(unit_ids) -> Q:
    """Users who may be given cases of these units (a ``Q`` on users): their handlers and heads, in force."""
    today = legal_today()
    return Q(
        memberships__unit_id__in=sorted(unit_ids),
        memberships__role__in=[Role.HANDLER, Role.HEAD],
    ) & (Q(memberships__valid_from__isnull=True) | Q(memberships__valid_from__lte=today)) & (
        Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today)
    ) & Q(is_active=True)


def handler_candidates_q(case) -> Q:
    """Users who may be given the case: handlers and heads of its acting unit, in force."""
    return handlers_q([case_unit_id(case)])


def reassign_unit_ids(user) -> set[int]:
    """Units whose cases the user may hand from one handler to another (a head's, and those below)."""
    return access_for(user).unit_ids([Role.HEAD])


def can_send_decision_notice(case, user) -> bool:
    """A decision of the case (suspension, resumption, termination, extension) waits to be recorded as sent."""
    return can_handle(case, user) and case.notices.filter(sent_on__isnull=True).exists()


# Acts that keep the status (recorded facts): the statuses they are taken in, and who takes them.
FACT_ACTS = {
    "record_verification": (("in_verification",), can_handle),
    "record_dialogue": (("in_dialogue",), can_handle),
    "record_dialogue_absence": (("in_dialogue",), can_handle),
    "send_decision_notice": (("received", "accepted", "in_verification", "in_dialogue", "suspended", "decided",
                              "closed", "withdrawn"), can_send_decision_notice),
    "record_draft": (("in_verification", "in_dialogue"), can_handle),
    "return_draft": (("in_verification", "in_dialogue"), _may_return_draft),
    "remind": (("accepted", "in_verification", "in_dialogue", "suspended"), may_remind),
    "request_extension": (("accepted", "in_verification", "in_dialogue"), _may_request_extension_now),
    "approve_extension": (("accepted", "in_verification", "in_dialogue"), _may_approve_extension),
    "refuse_extension": (("received", "accepted", "in_verification", "in_dialogue", "suspended", "decided"),
                         _may_refuse_extension),
    "attach": (("received", "accepted", "in_verification", "in_dialogue", "suspended", "decided"), can_file_documents),
}


def available_acts(user, case) -> list[str]:
    """The acts this user may take on the case now: FSM transitions whose state, conditions and
    permission allow them, plus the recorded facts of the case's current status."""
    if not may_view_case(user, case):
        return []
    acts = [t.name for t in case.get_available_user_status_transitions(user)]
    acts += [name for name, (statuses, allowed) in FACT_ACTS.items() if case.status in statuses and allowed(case, user)]
    return sorted(set(acts))


# --- identity (reference §5) -----------------------------------------------------------

def may_see_identity(user, case) -> bool:
    """Whether the user may see the petitioners' identity in this case.

    A protected case (received as, or ever classified as, a denunciation) shows
    it only to the officers §5 names; any other case to every official in scope.
    """
    access = access_for(user)
    if not access.grants:
        return False
    if not is_identity_protected(case):
        return bool(
            (access.roles_in(case.receiving_unit_id) | access.roles_in(case.competent_unit_id)) & set(OFFICIAL_ROLES)
        )
    if case.handler_id is not None and case.handler_id == user.pk and access.roles_held_exactly_in(case_unit_id(case)):
        return True
    return holds_role_exactly(user, [case.receiving_unit_id], [Role.RECEPTION, Role.HEAD]) or holds_role_exactly(
        user, [case.competent_unit_id], [Role.HEAD]
    )


def is_identity_protected(case) -> bool:
    """A property of the case, whatever its kind now: set when it is (or becomes) a denunciation, never cleared."""
    return bool(case.identity_protected)


def identity_q(user, *, prefix: str = "") -> Q:
    """Cases whose identities the user may see (for duplicate and history look-ups): a ``Q`` on ``prefix``."""
    access = access_for(user)
    if not access.grants or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    reception = sorted(g.unit_id for g in access.grants if g.role in (Role.RECEPTION, Role.HEAD))
    heads = sorted(g.unit_id for g in access.grants if g.role == Role.HEAD)
    handler_units = sorted({g.unit_id for g in access.grants})
    protected = (
        q(receiving_unit_id__in=reception)
        | q(competent_unit_id__in=heads)
        | (q(handler=user) & (q(competent_unit_id__in=handler_units)
                              | q(competent_unit__isnull=True, receiving_unit_id__in=handler_units)))
    )
    official_units = sorted(access.unit_ids(OFFICIAL_ROLES))
    unprotected = q(identity_protected=False) & (
        q(receiving_unit_id__in=official_units) | q(competent_unit_id__in=official_units)
    )
    return unprotected | protected


def may_see_match(user, case) -> bool:
    """Whether intake may tell this user that their petitioner is the same person as in ``case``.

    Only if the user may open that case and see its people: a match is itself
    an identity (it says who petitioned there). Otherwise intake records a
    ``CaseLink`` that ``case_links_q`` shows to those allowed.
    """
    return may_view_case(user, case) and may_see_identity(user, case)


def case_links_q(user) -> Q:
    """The restricted links (``cases.CaseLink``) a user may see: the head of the new case's competent
    unit gets the cross-unit link; the officers who may see the related case's identity see it too."""
    access = access_for(user)
    if not access.grants or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    heads = sorted(g.unit_id for g in access.grants if g.role == Role.HEAD)
    return Q(visible_to_unit_id__in=heads) | identity_q(user, prefix="related__")


# --- periodic reports (issue 9) ----------------------------------------------------------

def compiled_scope_ids(user) -> set[int]:
    """The people's committees whose reports the user compiles: the parent of each compiling office
    (``Unit.compiles_reports``, the home-affairs office) the user is a member of. One cached query."""
    access = access_for(user)
    cached = getattr(access, "_compiled_scope_ids", None)
    if cached is None:
        office_ids = sorted({g.unit_id for g in access.grants if g.role in (*OFFICIAL_ROLES,)})
        cached = set()
        if office_ids:
            cached = set(Unit.objects.filter(pk__in=office_ids, compiles_reports=True, parent__isnull=False)
                         .values_list("parent_id", flat=True))
        access._compiled_scope_ids = cached
    return cached


def report_unit_ids(user) -> set[int]:
    """Units whose periodic report the user may open: those where they hold an official role (and
    below), and, for a compiling office's staff, every unit under the committee it compiles for.
    Reports hold only counts, never a petitioner's data."""
    ids = access_for(user).unit_ids(OFFICIAL_ROLES)
    scopes = compiled_scope_ids(user)
    if scopes:
        paths = Unit.objects.filter(pk__in=scopes).values_list("path", flat=True)
        query = Q()
        for path in paths:
            query |= Q(path__startswith=path)
        ids = ids | set(Unit.objects.filter(query).values_list("pk", flat=True))
    return ids


def may_view_report(user, unit) -> bool:
    unit_id = getattr(unit, "pk", unit)
    return unit_id is not None and unit_id in report_unit_ids(user)


def may_sign_report(user, unit) -> bool:
    """A unit's report for a period is signed off by its head (a head counts in its unit and below)."""
    return has_role(user, [unit], [Role.HEAD])


def may_track_submissions(user) -> bool:
    """The compiling office sees which units have not reported yet."""
    return bool(compiled_scope_ids(user))
