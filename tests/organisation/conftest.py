import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member


def staff(unit, role, username, *, superuser=False, old_admin_group_perms=False):
    """A staff member as the demo makes them; ``old_admin_group_perms`` gives the permissions the
    old demo "admin group" held (every auth, organisation, cases and deadlines permission)."""
    user = member(unit, role, username)
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    if old_admin_group_perms:
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label__in=["auth", "organisation", "cases", "deadlines"])
        )
    return user


class Org:
    """A province (the root) with a ward and a commune, like the demo."""

    def __init__(self):
        self.province = UnitFactory(code="tinh", name="Tỉnh An Khang", level=UnitLevel.PROVINCE)
        self.ward = UnitFactory(code="phuong", name="Phường An Khang", parent=self.province)
        self.commune = UnitFactory(code="xa-phu-loc", name="Xã Phú Lộc", parent=self.province)
        self.sysadmin = staff(self.province, Role.ADMIN, "quantri", superuser=True)
        self.province_head = staff(self.province, Role.HEAD, "lanhdao")
        self.ward_admin = staff(self.ward, Role.ADMIN, "quantri.xa", old_admin_group_perms=True)
        self.ward_head = staff(self.ward, Role.HEAD, "lanhdao.xa")
        self.ward_handler = member(self.ward, Role.HANDLER, "canbo.xa")
        self.commune_head = staff(self.commune, Role.HEAD, "lanhdao.phuloc")
        self.commune_handler = member(self.commune, Role.HANDLER, "canbo.phuloc")


@pytest.fixture
def org(db):
    return Org()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
