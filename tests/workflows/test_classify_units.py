"""The classification task offers and accepts only units that exist on the day (a dissolved one would
leave its task waiting forever)."""
import datetime as dt

import pytest
from viewflow.workflow.status import STATUS

from cases import services
from cases.models import Case, Status
from organisation.models import UnitLevel
from tests.factories import UnitFactory
from workflows.flows import CaseFlow

from .conftest import RECEIVED, classify_data, complaint_kwargs, open_nodes, open_task, trail

pytestmark = pytest.mark.django_db


def test_the_classify_task_refuses_a_dissolved_unit_and_stays_open(world, driver):
    dissolved = UnitFactory(code="huyen-cu", name="Huyện cũ", level=UnitLevel.DISTRICT, parent=world.province,
                            valid_to=dt.date(2025, 6, 30))
    case = Case.objects.get(pk=services.case_intake(**{**complaint_kwargs(world, received=RECEIVED),
                                                       "start_process": True}).case.pk)
    response = driver.complete(case.process, CaseFlow.classify, world.reception,
                               {**classify_data(case), "competent_unit": dissolved.pk}, expect=200)
    assert "valid choice" in response.content.decode()
    assert f'value="{dissolved.pk}"' not in response.content.decode()
    assert open_task(case.process, CaseFlow.classify).status == STATUS.ASSIGNED
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.competent_unit == world.commune
    assert trail(case) == [("intake", "received")]

    driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    assert open_nodes(case.process) == {"decide_acceptance"}
