import datetime as dt

import pytest

from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, aware, member


class World:
    """A province with one commune, and a user for each role in the commune."""

    def __init__(self):
        self.province = UnitFactory(code="tinh", name="Tỉnh A", level=UnitLevel.PROVINCE)
        self.commune = UnitFactory(code="xa-a", name="Xã A", level=UnitLevel.COMMUNE, parent=self.province)
        self.remote_commune = UnitFactory(
            code="xa-b", name="Xã B", level=UnitLevel.COMMUNE, parent=self.province, is_remote=True
        )
        self.reception = member(self.commune, Role.RECEPTION, "tiepdan")
        self.handler = member(self.commune, Role.HANDLER, "canbo")
        self.head = member(self.commune, Role.HEAD, "lanhdao")
        self.province_reception = member(self.province, Role.RECEPTION, "tiepdan-tinh")
        self.province_head = member(self.province, Role.HEAD, "lanhdao-tinh")
        self.outsider = member(self.remote_commune, Role.HEAD, "lanhdao-xa-b")


@pytest.fixture
def world(db):
    return World()


def complaint_kwargs(world, *, received=dt.date(2026, 7, 6), **overrides):
    values = dict(
        actor=world.reception,
        kind="complaint",
        channel="in_person",
        received_at=aware(received),
        receiving_unit=world.commune,
        content="Khiếu nại quyết định thu hồi đất.",
        petitioners=[{"full_name": "Nguyễn Văn A", "id_number": "001090000001", "phone": "0900000001"}],
        respondent_number="123/QĐ-UBND",
        respondent_issuer="Chủ tịch UBND xã A",
        now=aware(received, 15),
        start_process=False,
    )
    values.update(overrides)
    # Intake sets no competent unit by itself: most tests name it (the receiving unit), as a clerk who knows.
    values.setdefault("competent_unit", values["receiving_unit"])
    return values


def denunciation_kwargs(world, *, received=dt.date(2026, 7, 6), **overrides):
    values = complaint_kwargs(world, received=received, competent_unit=None)
    del values["competent_unit"]
    values.update(
        kind="denunciation",
        content="Tố cáo cán bộ địa chính nhận tiền.",
        respondent_number="",
        respondent_issuer="",
        accused="Cán bộ địa chính xã A",
    )
    values.update(overrides)
    values.setdefault("competent_unit", values["receiving_unit"])
    return values


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are translated; these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
