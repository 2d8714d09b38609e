"""Demo data for the quickstart: a province, its units and staff, and a few hundred cases.

Every case is taken in and moved through ``cases.services`` with ``now=``
set to dates spread over the past months, so the demo carries real event
trails, due dates and flags. Open cases are placed with the deadline engine
so that, after the SLA sweep, some are on track, some due soon and some
overdue.
"""
import datetime as dt
import importlib.util
import random
from dataclasses import dataclass

import pgtrigger
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.errors import CaseError
from cases.models import Case, CaseEvent, Channel, IdentityAccess, ReceptionSession, Status, Topic
from cases.rules import RefusalGround
from deadlines import clock
from deadlines.engine import DeadlineInput, compute_deadlines
from deadlines.models import CaseKind, Complexity
from organisation.models import Membership, MembershipChange, Role, Unit, UnitLevel
from organisation.services import membership_grant

DEMO_PASSWORD = "demo12345"
PROVINCE = "demo-tinh"
# Unit code, name, level, remote, valid_to, login suffix of its staff ("" = the README's logins).
UNITS = [
    (PROVINCE, "Tỉnh An Khang", UnitLevel.PROVINCE, False, None, ""),
    ("demo-phuong-an-khang", "Phường An Khang", UnitLevel.COMMUNE, False, None, ".xa"),
    ("demo-xa-phu-loc", "Xã Phú Lộc", UnitLevel.COMMUNE, False, None, ".phuloc"),
    ("demo-xa-ta-lung", "Xã Tà Lùng (vùng sâu, vùng xa)", UnitLevel.COMMUNE, True, None, ".talung"),
    ("demo-so-nnmt", "Sở Nông nghiệp và Môi trường", UnitLevel.DEPARTMENT, False, None, ".nnmt"),
    ("demo-so-xay-dung", "Sở Xây dựng", UnitLevel.DEPARTMENT, False, None, ".xaydung"),
    ("demo-huyen-an-khang", "Huyện An Khang (cũ)", UnitLevel.DISTRICT, False, dt.date(2025, 6, 30), None),
]
LOGINS = {Role.RECEPTION: "tiepdan", Role.HANDLER: "canbo", Role.HEAD: "lanhdao", Role.ADMIN: "quantri"}
TOPICS = [
    ("land", "Đất đai"),
    ("compensation", "Bồi thường, hỗ trợ, tái định cư, giải phóng mặt bằng"),
    ("social-policy", "Chính sách xã hội"),
    ("housing", "Nhà ở"),
    ("civil-service", "Chế độ, chính sách cán bộ, công chức"),
    ("other", "Khác"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Đức", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Mai", "Nam", "Phương", "Quang", "Sơn",
         "Thảo", "Tuấn", "Yến"]
SUBJECTS = {
    "land": "việc thu hồi và cấp giấy chứng nhận quyền sử dụng đất tại thửa số {n}",
    "compensation": "phương án bồi thường, hỗ trợ khi giải phóng mặt bằng dự án đường tỉnh {n}",
    "social-policy": "việc xét hưởng trợ cấp xã hội hằng tháng năm {year}",
    "housing": "việc cấp phép xây dựng nhà ở tại tổ dân phố số {n}",
    "civil-service": "việc tính phụ cấp thâm niên cho công chức xã",
    "other": "tiếng ồn và ô nhiễm từ cơ sở sản xuất trong khu dân cư",
}
OPEN_TARGETS = [Status.RECEIVED, Status.ACCEPTED, Status.IN_VERIFICATION, Status.IN_DIALOGUE, Status.SUSPENDED,
                Status.DECIDED]
SLA_TARGETS = ["on_track", "due_soon", "overdue"]


@dataclass
class Plan:
    kind: str
    target: str
    unit: Unit
    sla: str | None = None
    mass: bool = False
    over_level: bool = False
    anonymous: bool = False
    complex: bool = False


class Clock:
    """Hands out non-decreasing act times from a start, never past ``limit`` (now)."""

    def __init__(self, rng: random.Random, start: dt.datetime, limit: dt.datetime):
        self.rng, self.current, self.limit = rng, start, limit

    def next(self, max_days: float = 4.0) -> dt.datetime:
        step = dt.timedelta(hours=self.rng.uniform(2, max(3.0, max_days * 24)))
        self.current = max(self.current, min(self.current + step, self.limit))
        return self.current


class Command(BaseCommand):
    help = "Create the demo province, units, staff (password demo12345) and about 200 cases, through the services."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=200, help="first-round cases to take in (default 200; at least the ~70 that cover every status, kind and SLA state)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--reset", action="store_true", help="delete the demo data first and seed it again")

    def handle(self, *args, cases, seed, reset, **options):
        if Unit.objects.filter(code=PROVINCE).exists():
            if not reset:
                self.stdout.write("Demo data already present (use --reset to recreate it).")
                return
            self._reset()
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = clock.legal_date(self.now)
        self.failures = []
        # Only cases left awaiting classification get a workflow process: a process started at
        # intake would sit at its first task while the services below move the case past it.
        self.flows = importlib.util.find_spec("workflows.flows") is not None
        with transaction.atomic():
            self.units = self._units()
            self.topics = self._topics()
            self.staff = self._staff()
            plans = self._plans(cases)
            for index, plan in enumerate(plans):
                self._run(plan, index)
        created = Case.objects.filter(receiving_unit__path__startswith=self.units[PROVINCE].path).count()
        self.stdout.write(f"Created {created} demo cases ({len(self.failures)} plans refused by the services).")
        for message in self.failures[:10]:
            self.stdout.write(f"  refused: {message}")
        self._sweep()

    # --- organisation -----------------------------------------------------------------

    def _units(self) -> dict[str, Unit]:
        units = {}
        for code, name, level, remote, valid_to, _suffix in UNITS:
            parent = units.get(PROVINCE) if code != PROVINCE else None
            units[code] = Unit.objects.create(code=code, name=name, level=level, parent=parent, is_remote=remote,
                                              valid_to=valid_to)
        return units

    def _topics(self) -> dict[str, Topic]:
        return {code: Topic.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in TOPICS}

    def _staff(self) -> dict[tuple[str, str], object]:
        """Reception, handler and head in every current unit; administrators in the province and one ward.

        Heads and administrators get ``is_staff`` (the admin's door); what they see
        there is the access policy's answer. ``quantri``, an administrator of the
        province (the root unit), is the system administrator and also a Django
        superuser, to show that the flag adds nothing; ``quantri.xa`` administers
        the ward only. Memberships are granted through the service, so the demo
        starts with its record of who was given what.
        """
        User = get_user_model()
        staff = {}
        for code, _name, _level, _remote, valid_to, suffix in UNITS:
            if suffix is None:
                continue
            roles = [Role.RECEPTION, Role.HANDLER, Role.HEAD]
            if suffix in ("", ".xa"):
                roles.append(Role.ADMIN)
            for role in roles:
                username = LOGINS[role] + suffix
                user = User(username=username, first_name=username, is_staff=role in (Role.ADMIN, Role.HEAD),
                            is_superuser=role == Role.ADMIN and suffix == "")
                user.set_password(DEMO_PASSWORD)
                user.save()
                membership_grant(actor=None, user=user, unit=self.units[code], role=role, now=self.now)
                staff[(code, role)] = user
        return staff

    # --- plans ------------------------------------------------------------------------

    def _plans(self, count: int) -> list[Plan]:
        """Every status, kind and SLA state first (about 70 cases, always made); the rest drawn at random."""
        rng = self.rng
        current = [self.units[code] for code, *_rest, suffix in UNITS if suffix is not None]
        communes = [u for u in current if u.level == UnitLevel.COMMUNE]
        resolving_kinds = [CaseKind.COMPLAINT, CaseKind.DENUNCIATION]
        plans = []
        for kind in CaseKind.values:
            for sla in SLA_TARGETS:
                plans.append(Plan(kind, Status.RECEIVED, rng.choice(current), sla=sla))
        for target in (Status.ACCEPTED, Status.IN_VERIFICATION):
            for sla in SLA_TARGETS:
                plans.append(Plan(rng.choice(resolving_kinds), target, rng.choice(current), sla=sla))
        for sla in SLA_TARGETS:
            plans.append(Plan(CaseKind.COMPLAINT, Status.IN_DIALOGUE, rng.choice(communes), sla=sla))
        plans += [
            Plan(CaseKind.DENUNCIATION, Status.SUSPENDED, rng.choice(current)),
            Plan(CaseKind.DENUNCIATION, Status.SUSPENDED, rng.choice(current)),
            Plan(CaseKind.DENUNCIATION, Status.IN_VERIFICATION, rng.choice(current), sla="on_track", complex=True),
            Plan(CaseKind.COMPLAINT, Status.APPEALED, rng.choice(communes)),
            Plan(CaseKind.COMPLAINT, Status.APPEALED, rng.choice(communes)),
            Plan(CaseKind.FEEDBACK, Status.RECEIVED, self.units[PROVINCE], sla="on_track", mass=True),
            Plan(CaseKind.COMPLAINT, Status.GUIDED, rng.choice(communes), over_level=True),
            Plan(CaseKind.DENUNCIATION, Status.ARCHIVED, rng.choice(current), anonymous=True),
        ]
        for target in (Status.NOT_ACCEPTED, Status.FORWARDED, Status.GUIDED, Status.ARCHIVED, Status.DECIDED,
                       Status.CLOSED, Status.WITHDRAWN):
            for kind in CaseKind.values:
                plans.append(Plan(kind, target, rng.choice(current)))
        weighted = [
            (Status.RECEIVED, 14), (Status.ACCEPTED, 8), (Status.IN_VERIFICATION, 14), (Status.IN_DIALOGUE, 5),
            (Status.DECIDED, 6), (Status.CLOSED, 22), (Status.NOT_ACCEPTED, 5), (Status.FORWARDED, 6),
            (Status.GUIDED, 6), (Status.ARCHIVED, 3), (Status.APPEALED, 3), (Status.SUSPENDED, 3),
            (Status.WITHDRAWN, 3),
        ]
        statuses, weights = zip(*weighted)
        while len(plans) < count:
            target = rng.choices(statuses, weights)[0]
            kind = rng.choices(CaseKind.values, [45, 25, 15, 15])[0]
            if target in (Status.IN_DIALOGUE, Status.APPEALED):
                kind = CaseKind.COMPLAINT
            elif target == Status.SUSPENDED:
                kind = CaseKind.DENUNCIATION
            unit = rng.choice(communes if target == Status.APPEALED else current)
            sla = rng.choice(SLA_TARGETS) if target in OPEN_TARGETS[:4] else None
            plans.append(Plan(kind, target, unit, sla=sla, mass=rng.random() < 0.05,
                              complex=kind == CaseKind.DENUNCIATION and rng.random() < 0.2))
        rng.shuffle(plans)
        return plans

    # --- timing -----------------------------------------------------------------------

    def _moment(self, day: dt.date) -> dt.datetime:
        moment = clock.legal_midnight(day) + dt.timedelta(hours=8, minutes=self.rng.randint(0, 480))
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(30, 90)))

    def _due(self, plan: Plan, received: dt.date, accepted: dt.date | None = None):
        result = compute_deadlines(DeadlineInput(
            kind=plan.kind, received=received, remote=plan.unit.is_remote, accepted=accepted,
            complexity=Complexity.COMPLEX if plan.complex else Complexity.SIMPLE,
        ))
        return result.resolution_due if accepted else result.acceptance_due

    def _place(self, plan: Plan, days_back, accepted: bool) -> int:
        """Days back from today for the clock's start so the due date lands where the plan wants it."""
        for back in days_back:
            start = self.today - dt.timedelta(days=back)
            due = self._due(plan, start - dt.timedelta(days=2), start) if accepted else self._due(plan, start)
            if due and 1 <= (due - self.today).days <= 2:
                return back
        return days_back[0]

    def _dates(self, plan: Plan) -> tuple[dt.datetime, dt.datetime | None]:
        """Receipt and (when the plan gets there) acceptance moments."""
        rng = self.rng
        resolving = plan.target in (Status.ACCEPTED, Status.IN_VERIFICATION, Status.IN_DIALOGUE) and plan.sla
        if plan.target == Status.RECEIVED:
            back = {
                "on_track": 0,
                "due_soon": self._place(plan, range(1, 25), accepted=False),
                "overdue": rng.randint(25, 120),
            }[plan.sla or "on_track"]
            return self._moment(self.today - dt.timedelta(days=back)), None
        if resolving:
            back = {
                "on_track": rng.randint(1, 8),
                "due_soon": self._place(plan, range(20, 80), accepted=True),
                "overdue": rng.randint(75, 200),
            }[plan.sla]
            accepted = self.today - dt.timedelta(days=back)
            received = self._moment(accepted - dt.timedelta(days=2))
            return received, max(self._moment(accepted), received + dt.timedelta(minutes=5))
        received = self._moment(self.today - dt.timedelta(days=rng.randint(20, 300)))
        return received, None

    # --- one case -----------------------------------------------------------------------

    def _person(self, unit: Unit) -> dict:
        rng = self.rng
        return {
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "id_number": f"0{rng.randint(10, 99)}{rng.randint(10**8, 10**9 - 1)}",
            "phone": f"09{rng.randint(10**7, 10**8 - 1)}",
            "address": f"Tổ {rng.randint(1, 20)}, {unit.name}",
        }

    def _intake(self, plan: Plan, received: dt.datetime):
        rng = self.rng
        topic_code = rng.choice(list(self.topics))
        subject = SUBJECTS[topic_code].format(n=rng.randint(10, 999), year=received.year)
        competent = plan.unit
        receiving = self.units[PROVINCE] if plan.over_level else competent
        people = [] if plan.anonymous else [self._person(competent) for _ in range(rng.randint(5, 12) if plan.mass else 1)]
        if plan.mass:
            people[0]["is_representative"] = True
        extra = {}
        if plan.kind == CaseKind.COMPLAINT:
            extra = {
                "respondent_number": f"{rng.randint(100, 2999)}/QĐ-UBND",
                "respondent_date": (received - dt.timedelta(days=rng.randint(10, 60))).date(),
                "respondent_issuer": f"Chủ tịch UBND {competent.name}",
                "content": f"Khiếu nại quyết định hành chính về {subject}.",
            }
        elif plan.kind == CaseKind.DENUNCIATION:
            extra = {
                "accused": f"Ông {rng.choice(FAMILY)} {rng.choice(GIVEN)}, công chức {competent.name}",
                "content": f"Tố cáo hành vi vi phạm trong {subject}.",
                "is_multi_site": plan.sla is None and rng.random() < 0.1,
            }
        else:
            verb = "Kiến nghị" if plan.kind == CaseKind.RECOMMENDATION else "Phản ánh"
            extra = {"content": f"{verb} về {subject}."}
        if plan.complex:
            extra.update(complexity=Complexity.COMPLEX, complexity_grounds="Nhiều người tố cáo, cần xác minh ở nhiều nơi.")
        return services.case_intake(
            actor=self.staff[(receiving.code, Role.RECEPTION)],
            kind=plan.kind,
            channel=rng.choice(Channel.values[:-1]),
            received_at=received,
            receiving_unit=receiving,
            competent_unit=competent,
            topic=self.topics[topic_code],
            petitioners=people,
            is_anonymous=plan.anonymous,
            is_signed=not plan.anonymous,
            now=received,
            start_process=False,
            **extra,
        ).case

    def _run(self, plan: Plan, index: int) -> None:
        received, accepted = self._dates(plan)
        try:
            with transaction.atomic():
                case = self._intake(plan, received)
                self._advance(case, plan, Clock(self.rng, received, self.now), accepted)
                if self.flows and case.is_open:
                    # the process picks up at the task the case's status calls for
                    from workflows.flows import start_case_process

                    start_case_process(Case.objects.get(pk=case.pk))
        except CaseError as exc:
            self.failures.append(f"plan {index} ({plan.kind} → {plan.target}): {exc.message}")

    def _advance(self, case: Case, plan: Plan, clock: Clock, accepted_at: dt.datetime | None) -> None:
        """Move the case to ``plan.target`` the way a unit would, one service per act."""
        unit = case.competent_unit.code
        reception, handler, head = (self.staff[(unit, r)] for r in (Role.RECEPTION, Role.HANDLER, Role.HEAD))
        target = plan.target
        if target == Status.RECEIVED:
            if plan.sla != "on_track":
                services.case_classify(case=case, actor=reception, now=clock.next(1))
            return
        if target in (Status.NOT_ACCEPTED, Status.FORWARDED, Status.GUIDED, Status.ARCHIVED):
            actor = self.staff[(case.receiving_unit.code, Role.RECEPTION)]
            if target == Status.NOT_ACCEPTED:
                services.case_refuse(case=case, actor=head, now=clock.next(), ground=RefusalGround.SENT_TO_SEVERAL,
                                     reason="Đơn gửi đồng thời nhiều cơ quan, trong đó có cơ quan có thẩm quyền "
                                            "đang giải quyết.")
                if case.kind == CaseKind.COMPLAINT:  # the notice of refusal (K2)
                    services.case_send_notices(case=case, actor=head, now=clock.next(1))
            elif target == Status.FORWARDED:
                services.case_forward(case=case, actor=actor, now=clock.next(), to_body="Tòa án nhân dân tỉnh",
                                      reason="Nội dung thuộc thẩm quyền giải quyết của cơ quan tư pháp.")
            elif target == Status.GUIDED:
                services.case_guide(case=case, actor=actor, now=clock.next(),
                                    instructions="Hướng dẫn công dân gửi đơn đến Chủ tịch UBND cấp xã có thẩm quyền.")
            else:
                services.case_archive(case=case, actor=actor, now=clock.next(),
                                      reason="Đơn nặc danh, không có căn cứ để xác minh; lưu làm thông tin.")
            return
        if accepted_at is not None:
            clock.current = accepted_at
        services.case_accept(case=case, actor=head, now=accepted_at or clock.next())
        if case.kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION):  # K2, T3
            services.case_send_notices(case=case, actor=head, now=clock.next(1))
        if target == Status.ACCEPTED:
            return
        if target == Status.WITHDRAWN:
            services.case_withdraw(case=case, actor=reception, now=clock.next(), decision_number=f"{case.pk}/QĐ-ĐC",
                                   reason="Người gửi đơn có đơn xin rút toàn bộ nội dung.")
            return
        services.case_assign(case=case, actor=head, handler=handler, now=clock.next(1))
        services.case_start_verification(case=case, actor=handler, now=clock.next(2))
        if plan.complex and case.kind == CaseKind.DENUNCIATION:
            services.case_extend(case=case, actor=head, now=clock.next(),
                                 grounds="Vụ việc phức tạp, cần thêm thời gian xác minh (Điều 30 Luật Tố cáo).")
        if target == Status.IN_VERIFICATION:
            return
        if target == Status.SUSPENDED:
            services.case_suspend(case=case, actor=head, now=clock.next(), decision_number=f"{case.pk}/QĐ-TĐC",
                                  ground="await_expert" if case.kind == CaseKind.DENUNCIATION else "records_held",
                                  grounds="Chờ kết quả giám định của cơ quan chuyên môn.")
            return
        if case.kind == CaseKind.COMPLAINT and (target == Status.IN_DIALOGUE or self.rng.random() < 0.5):
            moment = clock.next()
            # The invitation went out at least 5 days before (K10): backdated to then when the case allows it.
            invited = max(case.accepted_on, timezone.localdate(moment) - dt.timedelta(days=5))
            held_at = moment + (dt.timedelta(hours=2) if (timezone.localdate(moment) - invited).days >= 5
                                else dt.timedelta(days=6))
            services.case_schedule_dialogue(case=case, actor=handler, now=moment, scheduled_at=held_at,
                                            place="Trụ sở UBND xã", invited_on=invited,
                                            participants=["Người khiếu nại", "Người bị khiếu nại"])
            if target == Status.IN_DIALOGUE:
                return
            if held_at <= clock.limit:
                clock.current = max(clock.current, held_at)
                services.case_record_dialogue(case=case, actor=handler, now=clock.next(0.2), minutes="Biên bản đối thoại.",
                                              attendance=["Người khiếu nại", "Người bị khiếu nại"])
        if case.kind == CaseKind.DENUNCIATION:
            services.case_decide(case=case, actor=head, now=clock.next(8), conclusion_number=f"{case.pk}/KL-TC",
                                 summary="Tố cáo đúng một phần.",
                                 measures="Kiểm điểm, rút kinh nghiệm đối với người bị tố cáo.")
        else:
            services.case_decide(case=case, actor=head, now=clock.next(8), decision_number=f"{case.pk}/QĐ-GQ",
                                 summary="Giải quyết theo quy định; giữ nguyên/điều chỉnh một phần.")
        if target == Status.CLOSED:
            services.case_close(case=case, actor=head, now=clock.next())
        elif target == Status.APPEALED:
            moment = clock.next(10)
            services.case_appeal(case=case, actor=self.staff[(PROVINCE, Role.RECEPTION)], received_at=moment,
                                 competent_unit=self.units[PROVINCE], now=moment,
                                 content="Khiếu nại lần hai: không đồng ý với quyết định giải quyết lần đầu.")

    # --- after ------------------------------------------------------------------------

    def _sweep(self) -> None:
        if importlib.util.find_spec("cases.sla") is None:
            self.stdout.write("SLA sweep skipped: cases.sla is not available.")
            return
        from cases.sla import sweep_sla

        result = sweep_sla()
        self.stdout.write(f"SLA sweep: {result}")

    def _reset(self) -> None:
        """Remove the demo province with everything in it, then its staff.

        Events and identity accesses are append-only (a PostgreSQL trigger refuses UPDATE and
        DELETE): wiping the demo is the one deliberate exception, so it runs under
        ``pgtrigger.ignore`` for those tables (and case links, membership changes), in this transaction only.
        """
        from viewflow.workflow.models import Task

        from notifications.models import Escalation
        from workflows.models import CaseProcess

        province = Unit.objects.get(code=PROVINCE)
        units = Unit.objects.filter(path__startswith=province.path)
        with transaction.atomic(), pgtrigger.ignore("cases.CaseEvent:append_only", "cases.IdentityAccess:append_only",
                                                   "cases.CaseLink:append_only",
                                                   "organisation.MembershipChange:append_only"):
            cases = Case.objects.filter(receiving_unit__in=units) | Case.objects.filter(competent_unit__in=units)
            ids = list(cases.values_list("pk", flat=True))
            processes = CaseProcess.objects.filter(case_id__in=ids)
            Task.objects.filter(process__in=processes).delete()
            processes.delete()
            Escalation.objects.filter(unit__in=units).delete()
            IdentityAccess.objects.filter(case_id__in=ids).delete()
            CaseEvent.objects.filter(case_id__in=ids).delete()
            Case.objects.filter(pk__in=ids).update(previous_round=None, duplicate_of=None)
            Case.objects.filter(pk__in=ids).delete()
            users = list(Membership.objects.filter(unit__in=units).values_list("user_id", flat=True))
            ReceptionSession.objects.filter(unit__in=units).delete()
            ReceptionSession.objects.filter(officer_id__in=users).delete()
            MembershipChange.objects.filter(unit__in=units).delete()
            MembershipChange.objects.filter(user_id__in=users).delete()
            MembershipChange.objects.filter(actor_id__in=users).delete()
            # Older seeds made a group holding every auth permission: the admin no longer reads it.
            Group.objects.filter(name="Quản trị (demo)").delete()
            get_user_model().objects.filter(pk__in=users).delete()
            for unit in sorted(units, key=lambda u: -len(u.path)):
                unit.delete()
        self.stdout.write("Demo data removed.")
