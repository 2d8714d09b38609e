"""The street-level rule for public addresses (README, "Open311")."""
from decimal import Decimal

import pytest

from open311.privacy import public_coordinate, street_level


@pytest.mark.parametrize("given, public", [
    ("Số 12 ngõ 34 Láng Hạ, Đống Đa, Hà Nội", "Láng Hạ, Đống Đa, Hà Nội"),
    ("12/3A Nguyễn Trãi, Phường 5, Quận 3", "Nguyễn Trãi, Phường 5, Quận 3"),
    ("Hẻm 45 Lê Lợi", "Lê Lợi"),
    ("45-47 Lê Lợi", "Lê Lợi"),
    ("123 Main St", "Main St"),
    ("12, Lê Lợi, Huế", "Lê Lợi, Huế"),
    ("Đường 3/2, Quận 10", "Đường 3/2, Quận 10"),
    ("Khu đô thị mới, Xã A", "Khu đô thị mới, Xã A"),
    ("Lê Lợi", "Lê Lợi"),
    ("", ""),
    (" , ,", ""),
])
def test_street_level_drops_the_house_number_only(given, public):
    assert street_level(given) == public


def test_coordinates_are_published_to_about_110_metres():
    assert public_coordinate(Decimal("21.028511")) == Decimal("21.029")
    assert public_coordinate(None) is None
