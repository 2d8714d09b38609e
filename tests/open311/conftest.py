import pytest

from open311.models import Open311ApiKey
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member


class World:
    """A province with two communes, an Open311 key for the first commune, and a reception officer."""

    def __init__(self):
        self.province = UnitFactory(code="tinh", name="Tỉnh A", level=UnitLevel.PROVINCE)
        self.commune = UnitFactory(code="xa-a", name="Xã A", level=UnitLevel.COMMUNE, parent=self.province)
        self.other_commune = UnitFactory(code="xa-b", name="Xã B", level=UnitLevel.COMMUNE, parent=self.province)
        self.reception = member(self.commune, Role.RECEPTION, "tiepdan")
        self.key_row = Open311ApiKey(name="portal", unit=self.province)
        self.key = self.key_row.set_new_key()
        self.key_row.save()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Open311's reads are counted per address in the shared cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
