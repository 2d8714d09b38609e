"""A hand-built fixture for the periodic report: three units, reception sessions and 19 cases set up
directly with explicit values (production code changes status only through transitions; the figures
read columns, so the values below are what the services would have stamped)."""
import datetime as dt
import itertools

import pytest

from cases.models import (
    Case,
    Competence,
    DecisionResult,
    ReceptionSession,
    ReceptionType,
    Status,
    Topic,
)
from deadlines import clock
from tests.cases.conftest import World

_codes = itertools.count(1)

# H1-2026 with the default windows: 15/12/2025 – 14/6/2026
H1 = (dt.date(2025, 12, 15), dt.date(2026, 6, 14))


def local(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.legal_zone())


def make_case(*, received_at, receiving_unit, competent_unit=None, kind="complaint", status=Status.RECEIVED,
              **fields) -> Case:
    values = {"kind": kind, "channel": "in_person", "received_at": received_at, "receiving_unit": receiving_unit,
              "competent_unit": competent_unit, "content": "Nội dung", "tracking_code": f"RPT{next(_codes):08d}",
              "pin_hash": "x", "status": status}
    if kind == "denunciation":
        values["accused"] = "X"
    values.update(fields)
    return Case.objects.create(**values)


class ReportWorld(World):
    def __init__(self):
        super().__init__()
        province, a, b = self.province, self.commune, self.remote_commune
        land = Topic.objects.create(code="land", name="Đất đai")
        housing = Topic.objects.create(code="housing", name="Nhà ở")
        D = dt.date
        session = ReceptionSession.objects.create
        session(unit=a, officer=self.reception, date=D(2026, 1, 10), type=ReceptionType.REGULAR, persons=3, cases=2)
        session(unit=a, officer=self.head, date=D(2026, 3, 5), type=ReceptionType.PERIODIC_HEAD, persons=12, cases=2,
                mass_groups=1, mass_persons=8)
        session(unit=b, officer=self.outsider, date=D(2026, 2, 1), type=ReceptionType.AD_HOC, persons=1, cases=1)
        session(unit=a, officer=self.reception, date=D(2025, 12, 14), persons=2, cases=1)  # the day before
        session(unit=a, officer=self.reception, date=D(2026, 6, 15), persons=4, cases=1)  # the day after
        session(unit=province, officer=self.province_reception, date=D(2026, 4, 1), persons=2, cases=1)

        c = {}
        # carried over (received 23:30 on the day before the window), decided in it on time: right
        c[1] = make_case(received_at=local(D(2025, 12, 14), 23, 30), receiving_unit=a, competent_unit=a,
                         status=Status.APPEALED, accepted_on=D(2025, 12, 20), decided_on=D(2026, 1, 20),
                         ended_on=D(2026, 1, 20), resolution_due_at_decision=D(2026, 1, 25),
                         result=DecisionResult.RIGHT)
        # received in the window's first hour, decided overdue: wrong
        c[2] = make_case(received_at=local(D(2025, 12, 15), 0, 30), receiving_unit=a, competent_unit=a,
                         status=Status.CLOSED, competence=Competence.WITHIN, accepted_on=D(2025, 12, 22),
                         decided_on=D(2026, 3, 1), closed_on=D(2026, 3, 5), ended_on=D(2026, 3, 1),
                         resolution_due_at_decision=D(2026, 2, 20), result=DecisionResult.WRONG)
        # received in the window's last hour, still waiting; and one 10 minutes after the window
        c[3] = make_case(received_at=local(D(2026, 6, 14), 23, 0), receiving_unit=a, competent_unit=a)
        c[4] = make_case(received_at=local(D(2026, 6, 15), 0, 10), receiving_unit=a, competent_unit=a)
        # accepted long before, suspended: carried over and in the backlog
        c[5] = make_case(received_at=local(D(2025, 10, 1)), receiving_unit=a, competent_unit=a,
                         status=Status.SUSPENDED, suspended_from=Status.IN_VERIFICATION, accepted_on=D(2025, 10, 5))
        # accepted, then fully withdrawn: terminated on time
        c[6] = make_case(received_at=local(D(2026, 2, 1)), receiving_unit=a, competent_unit=a,
                         status=Status.WITHDRAWN, accepted_on=D(2026, 2, 3), terminated_on=D(2026, 3, 10),
                         termination_number="3/QĐ-ĐC", ended_on=D(2026, 3, 10),
                         resolution_due_at_decision=D(2026, 3, 15))
        # second round at the province, decided on time: partly right
        c[7] = make_case(received_at=local(D(2026, 4, 10)), receiving_unit=province, competent_unit=province,
                         round=2, previous_round=c[1], status=Status.DECIDED, accepted_on=D(2026, 4, 12),
                         decided_on=D(2026, 5, 20), ended_on=D(2026, 5, 20), resolution_due_at_decision=D(2026, 6, 1),
                         result=DecisionResult.PARTLY_RIGHT)
        # denunciations: one concluded after the window, one carried over and concluded late
        c[8] = make_case(kind="denunciation", received_at=local(D(2026, 1, 15)), receiving_unit=a, competent_unit=a,
                         status=Status.DECIDED, accepted_on=D(2026, 1, 20), decided_on=D(2026, 6, 20),
                         ended_on=D(2026, 6, 20), resolution_due_at_decision=D(2026, 7, 1))
        c[9] = make_case(kind="denunciation", received_at=local(D(2025, 11, 1)), receiving_unit=a, competent_unit=a,
                         status=Status.CLOSED, accepted_on=D(2025, 11, 5), decided_on=D(2026, 2, 10),
                         ended_on=D(2026, 2, 10), resolution_due_at_decision=D(2026, 2, 5), result=DecisionResult.RIGHT)
        # routed out in the window
        c[10] = make_case(kind="feedback", received_at=local(D(2026, 1, 5)), receiving_unit=a, status=Status.FORWARDED,
                          competence=Competence.OUTSIDE, ended_on=D(2026, 1, 7))
        c[11] = make_case(kind="recommendation", received_at=local(D(2026, 2, 2)), receiving_unit=a,
                          status=Status.GUIDED, ended_on=D(2026, 2, 3))
        c[12] = make_case(kind="feedback", received_at=local(D(2026, 3, 3)), receiving_unit=a, status=Status.ARCHIVED,
                          topic=land, ended_on=D(2026, 3, 3))
        c[13] = make_case(received_at=local(D(2026, 5, 5)), receiving_unit=a, competent_unit=a,
                          status=Status.NOT_ACCEPTED, competence=Competence.WITHIN, topic=land, ended_on=D(2026, 5, 8))
        # forwarded only after the window: pending at its end
        c[14] = make_case(received_at=local(D(2026, 6, 10)), receiving_unit=a, status=Status.FORWARDED,
                          ended_on=D(2026, 6, 16))
        # a mass petition accepted after the window
        c[15] = make_case(received_at=local(D(2026, 3, 5)), receiving_unit=a, competent_unit=a, is_mass=True,
                          status=Status.ACCEPTED, accepted_on=D(2026, 6, 20))
        # over-level: the province received a commune's matter and guided the petitioner down
        c[16] = make_case(kind="recommendation", received_at=local(D(2026, 3, 10)), receiving_unit=province,
                          competent_unit=a, is_over_level=True, status=Status.GUIDED, ended_on=D(2026, 3, 12))
        # commune B: decided on time (right); and one withdrawn before acceptance, before the window
        c[17] = make_case(received_at=local(D(2026, 2, 1)), receiving_unit=b, competent_unit=b, topic=housing,
                          status=Status.CLOSED, accepted_on=D(2026, 2, 2), decided_on=D(2026, 4, 1),
                          ended_on=D(2026, 4, 1), resolution_due_at_decision=D(2026, 4, 5), result=DecisionResult.RIGHT)
        c[18] = make_case(received_at=local(D(2025, 12, 1)), receiving_unit=b, competent_unit=b,
                          status=Status.WITHDRAWN, ended_on=D(2025, 12, 10))
        # commune A: withdrawn before acceptance, in the window: carried over, ended, never resolved
        c[19] = make_case(received_at=local(D(2025, 12, 1)), receiving_unit=a, competent_unit=a,
                          status=Status.WITHDRAWN, ended_on=D(2025, 12, 20))
        self.cases = c


@pytest.fixture
def report_world(db):
    return ReportWorld()


@pytest.fixture
def world(db):
    return World()
