"""The command and its formats: xlsx, CSV and PDF read back hold the JSON's numbers."""
import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from reports import exports

from .test_figures import PROVINCE_ROLLED_UP

pytestmark = pytest.mark.django_db


def run(tmp_path, *args, fmt="json"):
    out = tmp_path / f"report.{fmt}"
    call_command("report", *args, "--format", fmt, "--out", str(out))
    return out.read_bytes()


@pytest.fixture
def report(report_world, tmp_path):
    return json.loads(run(tmp_path, "--unit", "tinh", "--rollup", "--period", "H1-2026"))


def test_the_json_is_the_hand_checked_report(report):
    assert report == PROVINCE_ROLLED_UP


def test_from_and_to_give_the_same_report(report_world, tmp_path, report):
    same = json.loads(run(tmp_path, "--unit", "tinh", "--rollup", "--from", "2025-12-15", "--to", "2026-06-14"))
    assert same == report


def test_the_xlsx_is_the_statistics_table_with_the_json_numbers(report_world, tmp_path, report):
    book = load_workbook(io.BytesIO(run(tmp_path, "--unit", "tinh", "--rollup", "--period", "H1-2026", fmt="xlsx")))
    sheet = book.worksheets[0]
    values = [sheet.cell(row=8, column=index + 2).value for index in range(len(exports.COLUMNS))]
    assert values == [exports.value_at(report, key) for _path, key in exports.COLUMNS]
    assert sheet.cell(row=8, column=1).value == "tinh"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "B4:O4" in merged  # "Citizen reception" over its 14 columns
    assert "B5:D5" in merged  # "Total" over sessions, persons, cases
    assert "P5:P6" in merged  # "Total" petitions: a two-level header fills both rows below
    fields = {row[0]: row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert list(fields.values()) == list(report["petitions"]["by_field"].values())


def test_the_csv_has_one_line_per_figure(report_world, tmp_path, report):
    text = run(tmp_path, "--unit", "tinh", "--rollup", "--period", "H1-2026", fmt="csv").decode("utf-8-sig")
    rows = {row[0]: row[2] for row in csv.reader(io.StringIO(text))}
    for _path, key in exports.COLUMNS:
        assert int(rows[key]) == exports.value_at(report, key), key
    for code, count in report["petitions"]["by_field"].items():
        assert int(rows[f"petitions.by_field.{code}"]) == count
    assert (rows["unit"], rows["period.from"], rows["period.to"], rows["rollup"]) == (
        "tinh", "2025-12-15", "2026-06-14", "1")


def test_the_pdf_reads_back_the_same_numbers_in_vietnamese(report_world, tmp_path, report):
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(run(tmp_path, "--unit", "tinh", "--rollup", "--period", "H1-2026", fmt="pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    body = text.split("2026-06-14", 1)[1]  # after the subtitle's dates
    numbers = [int(n) for n in re.findall(r"(?<![\w-])\d+(?![\w-])", body)]
    expected = [exports.value_at(report, key) for _path, key in exports.COLUMNS]
    expected += list(report["petitions"]["by_field"].values())
    assert numbers == expected
    assert "Tiếp công dân" in text or "Citizen reception" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "nowhere", "--period", "H1-2026"], "unknown unit"),
    (["--unit", "xa-a", "--from", "2026-06-01", "--to", "2026-05-01"], "is after --to"),
    (["--unit", "xa-a", "--period", "H3-2026"], "unknown period"),
    (["--unit", "xa-a", "--from", "2026-06-01"], "--from needs --to"),
    (["--unit", "xa-a", "--from", "1/6/2026", "--to", "2026-07-01"], "YYYY-MM-DD"),
    (["--unit", "xa-a"], "one of the arguments --period --from is required"),
])
def test_bad_arguments_print_one_line_and_exit_2(report_world, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        call_command("report", *args, "--format", "json", "--out", str(tmp_path / "x.json"))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x.json").exists()
