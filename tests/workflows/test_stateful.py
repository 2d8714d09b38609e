"""Random sequences of acts — through the services directly and through the task pages — never
leave the viewflow process out of step with the case.

The API, the admin and management commands call the services directly; the task pages call
them through viewflow. Either way, after every step the process must have exactly the open
tasks the case's status calls for, and every act that went through must have written exactly
one event of its own.
"""
import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from viewflow.workflow.status import STATUS

from access import policy
from cases import services
from cases.errors import CaseError
from cases.models import Case, CaseEvent
from cases.sla import sweep_sla
from tests.factories import aware

from .conftest import RECEIVED, complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
FINAL = ("closed", "not_accepted", "forwarded", "guided", "archived", "withdrawn", "appealed")
# Both outcome forms: a complaint's decision, a denunciation's conclusion with its handling measures.
DECISION = {"decision_number": "15/QĐ-UBND", "summary": "Giữ nguyên quyết định.", "outcome": "rejected",
            "conclusion_number": "15/KL-UBND", "measures": "Kiểm điểm, rút kinh nghiệm."}


def expected_tasks(case) -> set[str] | None:
    """The nodes that may be the one open task, for the case's status (None: no task may be open)."""
    return {
        "received": {"classify", "decide_acceptance"},
        "accepted": {"assign_handler"} if case.handler_id is None else {"verify"},
        "in_verification": {"verify", "dialogue", "draft_decision", "sign_decision"},
        "in_dialogue": {"dialogue", "draft_decision", "sign_decision"},
        "decided": {"close"},
    }.get(case.status)


PARTIES = ["Nguyễn Văn A (người khiếu nại)", "Chủ tịch UBND xã A (người bị khiếu nại)"]


def _unsent_notice(case):
    notice = case.notices.filter(sent_on__isnull=True).order_by("pk").first()
    return notice.pk if notice else 0  # none: the service answers NotFound


def acts(world, now, flag):
    """Each service act with the officer who takes it and plausible input."""
    return {
        "classify": lambda c: services.case_classify(case=c, actor=world.reception, now=now),
        "accept": lambda c: services.case_accept(case=c, actor=world.head, now=now),
        "refuse": lambda c: services.case_refuse(case=c, actor=world.head, ground="sent_to_several",
                                                   now=now),
        "forward": lambda c: services.case_forward(case=c, actor=world.reception, to_body="Tòa án nhân dân tỉnh", now=now),
        "guide": lambda c: services.case_guide(case=c, actor=world.reception, instructions="Gửi đơn đến UBND xã.", now=now),
        "archive": lambda c: services.case_archive(case=c, actor=world.reception, reason="Đơn trùng.", now=now),
        "assign": lambda c: services.case_assign(case=c, actor=world.head, handler=world.handler, now=now),
        "start_verification": lambda c: services.case_start_verification(case=c, actor=world.handler, now=now),
        "record_verification": lambda c: services.case_record_verification(
            case=c, actor=world.handler, findings="Đúng một phần.", findings_differ=flag and c.kind == "complaint",
            now=now),
        "start_dialogue": lambda c: services.case_start_dialogue(case=c, actor=world.handler, now=now),
        "schedule_dialogue": lambda c: services.case_schedule_dialogue(
            case=c, actor=world.handler, scheduled_at=now + dt.timedelta(days=5), place="UBND xã A",
            participants=PARTIES, now=now),
        "record_dialogue": lambda c: services.case_record_dialogue(case=c, actor=world.handler, minutes="Biên bản.",
                                                                   attendance=PARTIES, now=now),
        "record_dialogue_absence": lambda c: services.case_record_dialogue_absence(
            case=c, actor=world.handler, absent=PARTIES[:1], valid_reason=flag, reason="Ốm." if flag else "", now=now),
        "reassess_complexity": lambda c: services.case_reassess_complexity(
            case=c, actor=world.head, complexity="simple" if c.complexity != "simple" else "complex",
            grounds="Đánh giá lại.", criteria=["several_contents", "abroad"], now=now),
        "send_decision_notice": lambda c: services.case_send_decision_notice(
            case=c, actor=world.head, notice=_unsent_notice(c), now=now),
        "record_draft": lambda c: services.case_record_draft(case=c, actor=world.handler, **DECISION, now=now),
        "decide": lambda c: services.case_decide(case=c, actor=world.head, **DECISION, now=now),
        "return_draft": lambda c: services.case_return_draft(case=c, actor=world.head, comment="Sửa lại.", now=now),
        "request_extension": lambda c: services.case_request_extension(
            case=c, actor=world.handler, days=10 if flag else 30, grounds="Cần xác minh thêm.", now=now),
        "refuse_extension": lambda c: services.case_refuse_extension(case=c, actor=world.head, reason="Chưa đủ căn cứ.",
                                                                     now=now),
        "close": lambda c: services.case_close(case=c, actor=world.head, now=now),
        "suspend": lambda c: services.case_suspend(
            case=c, actor=world.head, ground="await_expert" if c.kind == "denunciation" else "other",
            grounds="Chờ giám định.", now=now),
        "resume": lambda c: services.case_resume(case=c, actor=world.head, ground="other", grounds="Đã có kết quả.",
                                                 now=now),
        "extend": lambda c: services.case_extend(case=c, actor=world.head, grounds="Vụ việc phức tạp.",
                                                 days=10 if flag else None, now=now),
        "withdraw": lambda c: services.case_withdraw(case=c, actor=world.reception, reason="Xin rút đơn.",
                                                     decision_number="9/QĐ-ĐC", now=now),
        "appeal": lambda c: services.case_appeal(case=c, actor=world.province_reception, received_at=now,
                                                 competent_unit=world.province, now=now),
        "appeal_overdue": lambda c: services.case_appeal_overdue(case=c, actor=world.province_reception,
                                                                 received_at=now, now=now),
        "send_notices": lambda c: services.case_send_notices(case=c, actor=world.head, now=now),
    }


class CaseLife(RuleBasedStateMachine):
    """One case, from intake, under random acts."""

    world = None  # set by the test

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()  # each example starts from the same database
        self._atomic.__enter__()
        self.now = aware(RECEIVED, 9)
        self.client = Client()
        self.case_id = None

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------

    def case(self) -> Case:
        return Case.objects.select_related("process").get(pk=self.case_id)

    def open_tasks(self):
        return list(self.case().process.task_set.filter(status__in=OPEN, flow_task_type="HUMAN").order_by("pk"))

    def actions(self) -> list[str]:
        return list(CaseEvent.objects.filter(case_id=self.case_id).exclude(action__startswith="sla_")
                    .order_by("pk").values_list("action", flat=True))

    def tick(self):
        self.now += dt.timedelta(days=1)

    def user_for(self, task):
        """The owner of an assigned task; for a queued one, the officer of the asked role in the asked unit."""
        if task.owner_id:
            return task.owner
        role, _at, unit_id = (task.owner_permission or "").partition("@")
        w = self.world
        officers = {("reception", w.commune.pk): w.reception, ("handler", w.commune.pk): w.handler,
                    ("head", w.commune.pk): w.head, ("reception", w.province.pk): w.province_reception,
                    ("head", w.province.pk): w.province_head}
        return officers.get((role, int(unit_id) if unit_id.isdigit() else None))

    # --- steps -----------------------------------------------------------------------

    @initialize(kind=st.sampled_from(["complaint", "denunciation"]), deep=st.booleans(),
                complexity=st.sampled_from(["simple", "complex"]))
    def intake(self, kind, deep, complexity):
        """A fresh case, or one already under verification (so that the later acts get their turn)."""
        make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
        with time_machine.travel(self.now, tick=False):
            result = services.case_intake(**{**make(self.world, received=RECEIVED), "now": self.now,
                                             "start_process": True, "complexity": complexity,
                                             "complexity_grounds": "Nhiều nơi." if complexity != "simple" else ""})
        self.case_id = result.case.pk
        if deep:
            w = self.world
            for act in ("accept", "assign", "start_verification", "record_verification"):
                self.tick()
                with time_machine.travel(self.now, tick=False):
                    acts(w, self.now, True)[act](self.case())

    @rule(days=st.integers(1, 6))
    def time_passes(self, days):
        """Days go by; the sweep moves the case's and its decision notices' clocks (its alerts are no act)."""
        self.now += dt.timedelta(days=days)
        before = self.actions()
        sweep_sla(now=self.now)
        assert self.actions() == before

    @rule(act=st.sampled_from(sorted(acts(None, None, False))), flag=st.booleans())
    def act_through_the_service(self, act, flag):
        self.take(act, flag)

    @rule(pick=st.integers(0, 1000), flag=st.booleans())
    def an_act_the_policy_offers_now(self, pick, flag):
        """One of the acts the case page would offer one of the officers now, so the deep acts get their turn."""
        w, case = self.world, self.case()
        offered = sorted({a for user in (w.reception, w.handler, w.head) for a in policy.available_acts(user, case)}
                         & set(acts(None, None, False)))
        if offered:
            self.take(offered[pick % len(offered)], flag)

    def take(self, act, flag):
        self.tick()
        before = self.actions()
        with time_machine.travel(self.now, tick=False):
            try:
                acts(self.world, self.now, flag)[act](self.case())
            except CaseError:
                assert self.actions() == before, f"a refused {act} left events behind"
                return
        new = self.actions()[len(before):]
        assert new == [act], f"{act} went through and wrote the events {new}"

    # acceptance mostly accepts, so that the later tasks get their turn
    @rule(decision=st.sampled_from(["accept"] * 4 + ["refuse", "forward", "guide", "archive"]), flag=st.booleans())
    def run_the_open_task_over_http(self, decision, flag):
        tasks = self.open_tasks()
        if not tasks:
            return
        self.tick()
        task = tasks[0]
        node = task.flow_task.name
        user = self.user_for(task)
        assert user is not None, f"nobody in the world may take {node} ({task.owner_permission})"
        case = self.case()
        data, expected = {
            "classify": ({"kind": case.kind, "competent_unit": case.competent_unit_id, "complexity": case.complexity},
                         ["classify"]),
            "decide_acceptance": ({"decision": decision, "reason": "Lý do.", "ground": "sent_to_several", "to_body": "Tòa án nhân dân tỉnh",
                                   "instructions": "Gửi đơn đến UBND xã."}, [decision]),
            "assign_handler": ({"handler": self.world.handler.pk}, ["assign"]),
            "verify": ({"findings": "Đúng một phần.",
                        "findings_differ": "on" if flag and case.kind == "complaint" else ""},
                       ["start_verification", "record_verification"] if case.status == "accepted"
                       else ["record_verification"]),
            "dialogue": self.dialogue_step(case, flag),
            "draft_decision": (DECISION, ["record_draft"]),
            "sign_decision": ({"choice": "return", "comment": "Sửa lại."}, ["return_draft"]) if flag
            else (DECISION, ["decide"]),
            "close": ({}, ["close"]),
        }[node]
        before = self.actions()
        self.client.force_login(user)
        with time_machine.travel(self.now, tick=False):
            if task.status == STATUS.NEW:
                response = self.client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
                assert response.status_code == 302, f"{user} could not take {node}: {response.status_code}"
            response = self.client.post(task.flow_task.reverse("execute", args=[task.process_id, task.pk]), data)
        if response.status_code in (400, 409):  # the service refused the act
            assert self.actions() == before, f"a refused {node} left events behind"
            return
        assert response.status_code == 302, f"{node} as {user} answered {response.status_code}"
        new = self.actions()[len(before):]
        assert new == expected, f"{node} went through and wrote the events {new}, not {expected}"

    def dialogue_step(self, case, flag):
        """The dialogue task: the invitation first (the task stays open), then on the day its outcome."""
        if services.pending_dialogue(case) is None:
            day = timezone.localtime(self.now + dt.timedelta(days=1)).date() + dt.timedelta(days=5)
            return ({"scheduled_at": f"{day}T09:00", "place": "UBND xã A", "participants": "\n".join(PARTIES)},
                    ["schedule_dialogue"])
        if flag:
            return {"result": "held", "minutes": "Biên bản.", "attendance": PARTIES[0]}, ["record_dialogue"]
        return {"result": "absent", "absent": PARTIES[0]}, ["record_dialogue_absence"]

    # --- what must always hold -----------------------------------------------------------

    @invariant()
    def open_tasks_match_the_status(self):
        if self.case_id is None:
            return
        case = self.case()
        process = case.process
        nodes = [task.flow_task.name for task in self.open_tasks()]
        allowed = expected_tasks(case)
        if allowed is not None:
            assert len(nodes) == 1 and nodes[0] in allowed, (
                f"case {case.status} (handler {case.handler_id}): open tasks {nodes}, expected one of {sorted(allowed)}")
        elif case.status == "suspended":
            assert nodes == [] and process.finished is None, (
                f"suspended case: open tasks {nodes}, process finished {process.finished}")
        else:
            assert case.status in FINAL
            assert nodes == [] and process.finished is not None, (
                f"case {case.status}: open tasks {nodes}, process finished {process.finished}")


def test_the_process_keeps_in_step_with_the_case(world):
    CaseLife.world = world
    run_state_machine_as_test(CaseLife, settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    ))
