"""A people's committee with its home-affairs office (the compiler), two wards (one with a hamlet
below it) and a committee elsewhere; heads, a handler and a compiler clerk."""
import datetime as dt
import itertools

from cases.models import Case, Status
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, aware, member

_codes = itertools.count(1)


def make_case(unit, *, received: dt.date, kind="complaint", status=Status.RECEIVED, **fields):
    """Test data set up directly: production code changes status only through transitions."""
    return Case.objects.create(
        kind=kind, channel="in_person", received_at=aware(received), receiving_unit=unit, content="Nội dung đơn",
        tracking_code=f"RPT{next(_codes):07d}", pin_hash="x", status=status, **fields,
    )


class World:
    def __init__(self):
        self.committee = UnitFactory(code="ubnd", name="UBND Huyện An Khang", level=UnitLevel.DISTRICT)
        self.office = UnitFactory(code="phong-noi-vu", name="Phòng Nội vụ", level=UnitLevel.OTHER,
                                  parent=self.committee, compiles_reports=True)
        self.ward_a = UnitFactory(code="xa-a", name="Xã A", parent=self.committee)
        self.hamlet = UnitFactory(code="thon-a1", name="Thôn A1", level=UnitLevel.OTHER, parent=self.ward_a)
        self.ward_b = UnitFactory(code="xa-b", name="Xã B", parent=self.committee)
        self.elsewhere = UnitFactory(code="xa-khac", name="Xã Khác")
        self.head_a = member(self.ward_a, Role.HEAD, "head-a")
        self.handler_a = member(self.ward_a, Role.HANDLER, "handler-a")
        self.head_b = member(self.ward_b, Role.HEAD, "head-b")
        self.head_hamlet = member(self.hamlet, Role.HEAD, "head-hamlet")
        self.compiler = member(self.office, Role.HANDLER, "noivu")
        self.outsider = member(self.elsewhere, Role.HEAD, "head-elsewhere")
