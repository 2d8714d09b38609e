"""How the figures are counted (issue 9): what the plan tuning must not change."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from organisation.models import UnitLevel
from reports.figures import build_report, report_scope
from tests.factories import UnitFactory

from .conftest import H1
from .test_figures import PROVINCE_ROLLED_UP

pytestmark = pytest.mark.django_db

SETTINGS = ("jit", "enable_sort", "random_page_cost", "enable_indexscan", "enable_seqscan")


def current_settings() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in SETTINGS))
        return dict(zip(SETTINGS, cursor.fetchone()))


def test_the_planner_settings_stay_inside_the_report(report_world):
    before = current_settings()  # inside the test's transaction, like a caller's
    build_report(unit=report_world.province, rollup=True, date_from=H1[0], date_to=H1[1])
    assert current_settings() == before
    assert before["enable_indexscan"] == "on" and before["enable_seqscan"] == "on"


def test_a_scope_of_every_unit_counts_like_a_list_of_units(report_world):
    """A province-wide roll-up skips the per-case unit test; once another province exists it is back."""
    assert report_scope(report_world.province, rollup=True)[1] is True
    assert build_report(unit=report_world.province, rollup=True, date_from=H1[0], date_to=H1[1]) == PROVINCE_ROLLED_UP
    UnitFactory(code="tinh-khac", name="Tỉnh khác", level=UnitLevel.PROVINCE)
    assert report_scope(report_world.province, rollup=True)[1] is False
    assert build_report(unit=report_world.province, rollup=True, date_from=H1[0], date_to=H1[1]) == PROVINCE_ROLLED_UP


def test_the_covering_index_holds_every_column_the_window_count_reads(report_world):
    """Else the window's count leaves the index for the heap: slower, the figures unchanged."""
    with CaptureQueriesContext(connection) as queries:
        build_report(unit=report_world.commune, rollup=False, date_from=H1[0], date_to=H1[1])
    batch = next(query["sql"] for query in queries.captured_queries if "SAVEPOINT report_figures" in query["sql"])
    window = next(statement for statement in batch.split(";\n") if "received_at >= " in statement)
    window = window.split(" UNION ALL ")[0]  # the part read from the index
    read = {field.column for field in Case._meta.concrete_fields if re.search(rf"\b{field.column}\b", window)}
    index = next(index for index in Case._meta.indexes if index.name == "case_report_window_idx")
    assert read == {Case._meta.get_field(name).column for name in (*index.fields, *index.include)}
