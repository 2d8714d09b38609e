"""``CaseSerializer.to_representation`` writes out DRF's field-by-field walk: the two bodies must stay equal
for cases of every shape (read as the list and the detail read them, with and without the right to the people)."""
import datetime as dt

import pytest
from rest_framework import serializers

from api.people import identity_views
from api.serializers import CaseDetailSerializer, CaseSerializer
from cases import services
from cases.models import Case, Status, Topic
from tests.api.conftest import NOW, complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db


def _drf_body(serializer_class, case, context):
    """What DRF's own walk over the declared fields makes of the case."""
    serializer = serializer_class(case, context=context)
    return serializers.ModelSerializer.to_representation(serializer, case)


def _clone(case: Case, **changes) -> Case:
    """An unsaved copy of ``case`` with ``changes`` (its status is protected: set when it is built)."""
    values = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    values.update(changes)
    return Case(**values)


def _variants(world, complaint: Case, denunciation: Case) -> list[Case]:
    """The stored cases, and copies with every optional part set or empty."""
    parent = Topic.objects.create(code="dat-dai", name="Đất đai")
    topic = Topic.objects.create(code="thu-hoi-dat", name="Thu hồi đất", parent=parent)
    accepted = services.case_accept(case=Case.objects.get(pk=complaint.pk), actor=world.head, now=NOW)
    variants = [Case.objects.get(pk=complaint.pk), accepted, Case.objects.get(pk=denunciation.pk)]

    full = _clone(accepted, topic_id=topic.pk)
    full.is_backlogged = full.is_mass = full.is_over_level = True
    full.sla_state = "overdue"
    full.resolution_sla = "due_soon"
    full.decided_on = dt.date(2026, 8, 1)
    full.closed_on = dt.date(2026, 8, 20)
    full.appeal_due = dt.date(2026, 9, 1)
    full.is_remote = True
    variants.append(full)

    # a concluded denunciation (its own label) with no competent unit, in a field with no parent
    bare = _clone(Case.objects.get(pk=denunciation.pk), status=Status.DECIDED, competent_unit_id=None,
                  topic_id=parent.pk)
    bare.received_at = dt.datetime(2026, 7, 6, 2, 0, tzinfo=dt.timezone.utc)  # UTC in, the API's zone out
    bare.sla_state = ""
    bare.deadline_basis = None
    variants.append(bare)
    return variants


def test_the_written_out_body_is_drfs_own(world):
    complaint = services.case_intake(**complaint_kwargs(world, start_process=False)).case
    denunciation = services.case_intake(**denunciation_kwargs(world, start_process=False)).case
    cases = _variants(world, complaint, denunciation)
    for user in (world.head, world.handler, world.outsider):  # with and without the right to the people
        views = identity_views(user, cases, purpose="test")
        for case in cases:
            for serializer_class in (CaseSerializer, CaseDetailSerializer):
                context = {"identity": views}
                ours = serializer_class(case, context=context).data
                theirs = _drf_body(serializer_class, case, context)
                assert dict(ours) == dict(theirs), (serializer_class.__name__, case.pk, user.username)
                assert list(ours) == list(theirs)  # the same keys in the same order
    # the variants reach every branch: a field with and without a parent, no competent unit, dates and flags
    full, bare = cases[3], cases[4]
    body = CaseSerializer(full, context={"identity": identity_views(world.head, [full], purpose="test")}).data
    assert body["field"]["parent"] and body["flags"] and body["decided_on"] == "2026-08-01"
    assert body["remote_area"] is True and body["sla_state"] == "overdue"
    assert {row["name"] for row in body["deadlines"]} >= {"acceptance", "resolution", "appeal"}
    body = CaseSerializer(bare, context={"identity": identity_views(world.head, [bare], purpose="test")}).data
    assert body["competent_unit"] is None and body["field"]["parent"] is None and body["sla_state"] is None
    assert body["received_at"] == "2026-07-06T09:00:00+07:00"
    assert body["status_label"] != Status.DECIDED.label
