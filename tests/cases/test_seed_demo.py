"""The demo seed gives a clerk something real to look at: every status, kind and SLA state, logins that work."""
import pytest
from django.core.management import call_command
from django.test import Client

from cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, CaseEvent, SlaState, Status
from deadlines.models import CaseKind
from organisation.models import Role, Unit, UnitLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--cases", "0", "--seed", "3")
    out = capsys.readouterr().out
    assert "(0 plans refused by the services)" in out, out
    return out


def test_covers_every_status_kind_and_sla_state(seeded):
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    states = set(Case.objects.exclude(sla_state="").values_list("sla_state", flat=True))
    assert states == {SlaState.ON_TRACK, SlaState.DUE_SOON, SlaState.OVERDUE}
    assert Case.objects.filter(round=2, previous_round__status=Status.APPEALED).exists()


def test_cases_went_through_the_services(seeded):
    """Each case has its intake event and one event per status change, in time order."""
    for case in Case.objects.exclude(status=Status.RECEIVED).prefetch_related("events")[:40]:
        events = list(case.events.all())
        assert events[0].action == "intake"
        assert events[-1].to_status == case.status
        assert [e.at for e in events] == sorted(e.at for e in events)
    assert not Case.objects.exclude(pk__in=CaseEvent.objects.filter(action="intake").values("case_id")).exists()


def test_every_open_case_waits_on_a_workflow_task(seeded):
    """The inbox and queue have real work in them: each open case's process stands at its next task."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    waiting = Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN")
    assert open_cases.count() > 0
    assert not open_cases.exclude(process__task__in=waiting).exists()
    assert not Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED], process__caseprocess__case__status__in=FINAL_STATUSES).exists()


def test_organisation(seeded):
    province = Unit.objects.get(code="demo-tinh", level=UnitLevel.PROVINCE)
    children = Unit.objects.filter(parent=province)
    assert children.filter(level=UnitLevel.COMMUNE, is_remote=True).exists()
    assert children.filter(level=UnitLevel.COMMUNE, is_remote=False).exists()
    assert children.filter(level=UnitLevel.DEPARTMENT).exists()
    former = children.get(level=UnitLevel.DISTRICT)
    assert str(former.valid_to) == "2025-06-30"
    for suffix, unit in (("", province), (".xa", Unit.objects.get(code="demo-phuong-an-khang"))):
        for role, login in (("reception", "tiepdan"), ("handler", "canbo"), ("head", "lanhdao"), ("admin", "quantri")):
            assert unit.memberships.filter(user__username=login + suffix, role=role).exists()


@pytest.mark.parametrize("username", ["tiepdan", "canbo", "lanhdao", "quantri", "lanhdao.xa"])
def test_readme_logins_work(seeded, username):
    # django-axes needs the request to authenticate: check the password, then log the user in.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    assert user.check_password("demo12345") and user.is_active
    client = Client()
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    assert page.context["counts"]["open"] > 0


def test_superuser_reaches_the_admin(seeded):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="quantri"))
    assert client.get("/admin/cases/case/").status_code == 200


def test_running_twice_does_not_duplicate(seeded):
    before = Case.objects.count()
    call_command("seed_demo")
    assert Case.objects.count() == before
    assert Unit.objects.filter(code="demo-tinh").count() == 1


def test_reset_recreates(seeded):
    call_command("seed_demo", "--reset", "--cases", "0", "--seed", "3")
    assert Unit.objects.filter(code="demo-tinh").count() == 1
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Role.HEAD in Unit.objects.get(code="demo-tinh").memberships.values_list("role", flat=True)
