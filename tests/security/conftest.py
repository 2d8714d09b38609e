"""The demo province, built once per module, and a test-side oracle of who may see what.

The oracle is written here from the rules, on purpose without ``access.policy``:
a probe that asks the code under test what is allowed would only check that the
code agrees with itself.

* Scope: a membership (any role, valid today) in unit U covers the cases received
  by or competent in U or any unit below it (``Unit.path`` is a materialised path).
* Reference §5: a denouncer's identity is seen only by the reception officers and
  the head *of the receiving unit*, the head *of the competent unit* and the
  assigned handler — those exact units, not the units above them.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

# A demo letter often names its writer in the text; two such denunciations are added to the
# seed so that a leak of raw text (and the admin's content__icontains oracle) can be seen.
LETTERS = [
    ("demo-tinh", "Phạm Thị Khánh Linh", "079301000111", "0912000111", "Số 9 ngõ Cây Đa, Tỉnh An Khang"),
    ("demo-phuong-an-khang", "Lý Văn Trọng Nghĩa", "001088000222", "0988000222", "Tổ 21, Phường An Khang"),
]


@dataclass
class Person:
    full_name: str
    id_number: str
    phone: str
    address: str

    def values(self) -> list[str]:
        return [v for v in (self.full_name, self.id_number, self.phone, self.address) if v]


@dataclass
class CaseRow:
    pk: int
    kind: str
    status: str
    tracking_code: str
    content: str
    receiving_unit_id: int
    competent_unit_id: int | None
    handler_id: int | None
    identity_protected: bool
    pin_hash: str
    process_id: int | None
    texts: list[str] = field(default_factory=list)  # other text that belongs to the case (reasons, payloads)
    people: list[Person] = field(default_factory=list)

    @property
    def protected(self) -> bool:
        return self.identity_protected or self.kind == "denunciation"


@dataclass
class Grant:
    unit_id: int
    path: str
    role: str
    is_root: bool


@dataclass
class UserRow:
    user: object
    grants: list[Grant]

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    @property
    def is_system_admin(self) -> bool:
        return any(g.role == "admin" and g.is_root for g in self.grants)


class Demo:
    """A snapshot of the seeded data, and the oracle over it."""

    def __init__(self):
        from viewflow.workflow.models import Task

        from cases.models import Case, CaseEvent, Petitioner
        from organisation.models import Membership, Unit

        self.units = {u.pk: u for u in Unit.objects.all()}
        today = timezone.localdate()
        grants: dict[int, list[Grant]] = {}
        for m in Membership.objects.select_related("unit"):
            if (m.valid_from and m.valid_from > today) or (m.valid_to and m.valid_to < today):
                continue
            grants.setdefault(m.user_id, []).append(Grant(m.unit_id, m.unit.path, m.role, m.unit.parent_id is None))
        self.users = [UserRow(u, grants.get(u.pk, [])) for u in get_user_model().objects.order_by("pk")]
        self.by_username = {row.username: row for row in self.users}

        self.cases: dict[int, CaseRow] = {}
        for c in Case.objects.select_related("process").order_by("pk"):
            process = getattr(c, "process", None)
            self.cases[c.pk] = CaseRow(
                c.pk, c.kind, c.status, c.tracking_code, c.content, c.receiving_unit_id, c.competent_unit_id,
                c.handler_id, c.identity_protected, c.pin_hash, process.pk if process else None,
                texts=[t for t in (c.status_reason, c.accused, c.respondent_number, c.respondent_issuer,
                                   c.respondent_act, c.complexity_grounds) if t],
            )
        for p in Petitioner.objects.order_by("pk"):
            self.cases[p.case_id].people.append(Person(p.full_name, p.id_number, p.phone, p.address))
        for case_id, payload in CaseEvent.objects.values_list("case_id", "payload"):
            self.cases[case_id].texts.extend(_strings(payload))
        self.case_by_process = {c.process_id: c for c in self.cases.values() if c.process_id}
        self.tasks = list(
            Task.objects.filter(process_id__in=list(self.case_by_process)).order_by("pk")
            .values("pk", "process_id", "flow_task", "status", "owner_id", "owner_permission")
        )
        for task in self.tasks:
            task["node"] = task["flow_task"].name if hasattr(task["flow_task"], "name") else str(task["flow_task"]).rsplit(".", 1)[-1]
            task["case"] = self.case_by_process[task["process_id"]]
        self.events = list(CaseEvent.objects.order_by("pk").values_list("pk", "case_id"))

    # --- the oracle ---------------------------------------------------------------

    def unit_path(self, unit_id) -> str:
        return self.units[unit_id].path if unit_id in self.units else "\x00"

    def in_scope(self, user: UserRow | None, case: CaseRow) -> bool:
        if user is None:
            return False
        paths = [self.unit_path(case.receiving_unit_id)]
        if case.competent_unit_id:
            paths.append(self.unit_path(case.competent_unit_id))
        return any(p.startswith(g.path) for g in user.grants for p in paths)

    def named_in_s5(self, user: UserRow | None, case: CaseRow) -> bool:
        """Reference §5: reception or head of the receiving unit, head of the competent unit, the handler."""
        if user is None:
            return False
        competent = case.competent_unit_id or case.receiving_unit_id
        return (
            any(g.unit_id == case.receiving_unit_id and g.role in ("reception", "head") for g in user.grants)
            or any(g.unit_id == competent and g.role == "head" for g in user.grants)
            or (case.handler_id is not None and case.handler_id == user.user.pk)
        )

    def may_see_people(self, user: UserRow | None, case: CaseRow) -> bool:
        if not self.in_scope(user, case):
            return False
        return self.named_in_s5(user, case) if case.protected else True

    def unit_in_scope(self, user: UserRow | None, unit_id) -> bool:
        return user is not None and any(self.unit_path(unit_id).startswith(g.path) for g in user.grants)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _add_letters():
    """Two denunciations whose text names the denouncer, as real letters do."""
    from cases import services
    from organisation.models import Role, Unit

    User = get_user_model()
    now = timezone.now()
    for index, (code, name, id_number, phone, address) in enumerate(LETTERS):
        unit = Unit.objects.get(code=code)
        reception = User.objects.get(memberships__unit=unit, memberships__role=Role.RECEPTION)
        services.case_intake(
            actor=reception, kind="denunciation", channel="mail", received_at=now - dt.timedelta(days=3 + index),
            receiving_unit=unit, competent_unit=unit, accused="Ông Đinh Công Tráng, cán bộ địa chính",
            content=f"Tôi là {name}, CCCD số {id_number}, điện thoại {phone}, trú tại {address}, "
                    f"tố cáo ông Đinh Công Tráng nhận tiền khi đo đạc thửa đất số {700 + index}.",
            petitioners=[{"full_name": name, "id_number": id_number, "phone": phone, "address": address}],
            now=now - dt.timedelta(days=3 + index), start_process=True,
        )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo (``seed_demo --cases 0``: ~70 cases over every status and kind), built once per module
    inside one transaction that is rolled back when the module is done, so no other test sees it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            reverse("workflow:inbox")  # build the viewflow URLconf so flow tasks can reverse their URLs
            call_command("seed_demo", "--cases", "0", "--seed", "1", stdout=io.StringIO())
            _add_letters()
            yield Demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
