"""factory-boy factories shared by all test packages."""
import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from organisation.models import Membership, Role, Unit, UnitLevel


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Xã {n}")
    level = UnitLevel.COMMUNE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.HANDLER


def member(unit, role, username=None):
    """A user holding ``role`` in ``unit``."""
    user = UserFactory(username=username) if username else UserFactory()
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def aware(day: dt.date, hour: int = 9) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh) datetime on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
