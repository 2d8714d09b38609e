"""The one access policy: scope by unit tree, memberships in force, acts from the FSM, identity per §5."""
import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from access import policy
from cases import services
from cases.models import Case
from organisation.models import Membership, Role
from tests.cases.conftest import complaint_kwargs, denunciation_kwargs
from tests.factories import UnitFactory, aware, member

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 7, 6)


@pytest.fixture
def tree(world):
    """Province ▸ Xã A (the world's commune) ▸ Thôn 1, and a sibling Xã C."""
    world.hamlet = UnitFactory(code="thon-1", name="Thôn 1", parent=world.commune)
    world.sibling = UnitFactory(code="xa-c", name="Xã C", parent=world.province)
    return world


def fresh(user):
    policy.forget(user)
    return get_user_model().objects.get(pk=user.pk)


def test_a_role_counts_in_its_unit_and_below_never_elsewhere(tree):
    head = tree.head  # head of Xã A
    assert policy.has_role(head, [tree.commune], [Role.HEAD])
    assert policy.has_role(head, [tree.hamlet], [Role.HEAD])
    assert not policy.has_role(head, [tree.province], [Role.HEAD])
    assert not policy.has_role(head, [tree.sibling], [Role.HEAD])
    assert policy.has_role(tree.province_head, [tree.sibling, tree.hamlet], [Role.HEAD])


def test_case_scope_follows_the_tree(tree):
    here = services.case_intake(**complaint_kwargs(tree, received=RECEIVED)).case
    below = services.case_intake(**complaint_kwargs(tree, received=RECEIVED, receiving_unit=tree.hamlet,
                                                    actor=tree.head, respondent_number="8/QĐ")).case
    sibling_reception = member(tree.sibling, Role.RECEPTION)
    there = services.case_intake(**complaint_kwargs(tree, received=RECEIVED, receiving_unit=tree.sibling,
                                                    actor=sibling_reception, respondent_number="9/QĐ")).case

    def scope(user):
        return set(Case.objects.filter(policy.case_q(user)).values_list("pk", flat=True))

    assert scope(tree.head) == {here.pk, below.pk}
    assert scope(tree.province_head) == {here.pk, below.pk, there.pk}
    assert scope(sibling_reception) == {there.pk}
    assert not policy.may_view_case(tree.head, there)


def test_superuser_flag_and_admin_role_give_no_case_rights(tree):
    case = services.case_intake(**denunciation_kwargs(tree, received=RECEIVED)).case
    root = get_user_model().objects.create_superuser("root", password="x")
    ward_admin = member(tree.commune, Role.ADMIN, "quantri-xa")
    assert not policy.may_view_case(root, case) and not Case.objects.filter(policy.case_q(root)).exists()
    assert policy.may_view_case(ward_admin, case)  # the admin sees the cases of his units …
    assert policy.available_acts(ward_admin, case) == []  # … but takes no legal act
    assert not policy.may_see_identity(ward_admin, case)
    assert not policy.may_take(ward_admin, f"{Role.RECEPTION}@{tree.commune.pk}")
    assert not policy.is_system_admin(ward_admin)
    assert policy.is_system_admin(member(tree.province, Role.ADMIN, "quantri"))


def test_memberships_count_only_between_their_dates(tree):
    clerk = member(tree.commune, Role.RECEPTION, "tam-thoi")
    Membership.objects.filter(user=clerk).update(valid_from=dt.date(2026, 7, 1), valid_to=dt.date(2026, 7, 31))
    with time_machine.travel(aware(dt.date(2026, 7, 15)), tick=False):
        assert policy.can_log_petition(fresh(clerk), tree.commune)
    with time_machine.travel(aware(dt.date(2026, 8, 1)), tick=False):
        assert not policy.can_log_petition(fresh(clerk), tree.commune)
    with time_machine.travel(aware(dt.date(2026, 6, 30)), tick=False):
        assert not policy.can_log_petition(fresh(clerk), tree.commune)


def test_memberships_are_read_once_per_user_object(tree, django_assert_num_queries):
    head = fresh(tree.head)
    with django_assert_num_queries(1):  # the memberships with the units below them, in one query
        for _ in range(5):
            policy.has_role(head, [tree.commune], [Role.HEAD])
            policy.case_q(head)
            policy.may_take(head, f"head@{tree.commune.pk}")


def test_available_acts_come_from_the_state_machine_and_the_policy(tree):
    case = services.case_intake(**complaint_kwargs(tree, received=RECEIVED)).case
    assert set(policy.available_acts(tree.head, case)) >= {"accept", "refuse", "classify", "withdraw"}
    assert "accept" not in policy.available_acts(tree.reception, case)
    assert "classify" in policy.available_acts(tree.reception, case)
    assert policy.available_acts(tree.outsider, case) == []
    services.case_accept(case=case, actor=tree.head, now=aware(RECEIVED))
    acts = set(policy.available_acts(tree.head, case))
    assert "assign" in acts and "accept" not in acts and "start_verification" not in acts  # no handler yet
    services.case_assign(case=case, actor=tree.head, handler=tree.handler, now=aware(RECEIVED))
    assert "start_verification" in policy.available_acts(tree.handler, case)
    assert "decide" not in policy.available_acts(tree.handler, case)


def test_denouncer_identity_only_for_the_officers_the_law_names(tree):
    case = services.case_intake(**denunciation_kwargs(tree, received=RECEIVED)).case
    services.case_accept(case=case, actor=tree.head, now=aware(RECEIVED))
    services.case_assign(case=case, actor=tree.head, handler=tree.handler, now=aware(RECEIVED))
    other_handler = member(tree.commune, Role.HANDLER, "canbo-2")
    allowed = {tree.reception, tree.head, tree.handler}
    everyone = allowed | {other_handler, tree.province_head, tree.province_reception, tree.outsider,
                          member(tree.commune, Role.ADMIN, "quantri-xa"),
                          get_user_model().objects.create_superuser("root", password="x")}
    assert {u for u in everyone if policy.may_see_identity(u, case)} == allowed


def test_reclassifying_a_denunciation_keeps_it_protected(tree):
    case = services.case_intake(**denunciation_kwargs(tree, received=RECEIVED)).case
    services.case_classify(case=case, actor=tree.reception, kind="feedback", now=aware(RECEIVED))
    case.refresh_from_db()
    assert case.kind == "feedback" and case.identity_protected
    assert not policy.may_see_identity(tree.province_head, case)


def test_a_unit_and_its_id_get_the_same_roles_from_one_query(tree, django_assert_num_queries):
    """Issues 7 and 10: ``roles_in`` answers a loaded unit and its id alike, from the one query that reads
    the memberships with the units below them."""
    units = [tree.province, tree.commune, tree.hamlet, tree.sibling, tree.remote_commune]
    for user in (tree.head, tree.province_head, tree.reception, tree.outsider):
        user = fresh(user)
        with django_assert_num_queries(1):  # the memberships with the units below them
            by_path = [policy.access_for(user).roles_in(unit) for unit in units]
        assert by_path == [policy.access_for(fresh(user)).roles_in(unit.pk) for unit in units]
