"""A report (``reports.figures.build_report``'s dict) as xlsx, CSV and PDF.

One column list (``COLUMNS``) drives all three, so every file holds the same figures as the JSON:
the xlsx is laid out like the TT 02/2021 statistics tables (a title, three levels of merged header
cells, the column numbers, then the unit's row; the fields on a second sheet), the CSV is one line per
figure (its JSON key, its label, its value), the PDF a printable table of the same lines.
"""
import csv
import io
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

L = gettext_lazy

# (header path, JSON key path). A path of two levels spans the last two header rows.
COLUMNS = (
    ((L("Citizen reception"), L("Total"), L("Sessions")), "reception.sessions"),
    ((L("Citizen reception"), L("Total"), L("Persons")), "reception.persons"),
    ((L("Citizen reception"), L("Total"), L("Cases")), "reception.cases"),
    ((L("Citizen reception"), L("Mass groups"), L("Groups")), "reception.mass_groups"),
    ((L("Citizen reception"), L("Mass groups"), L("Persons")), "reception.mass_persons"),
    ((L("Citizen reception"), L("Regular reception"), L("Sessions")), "reception.by_type.regular.sessions"),
    ((L("Citizen reception"), L("Regular reception"), L("Persons")), "reception.by_type.regular.persons"),
    ((L("Citizen reception"), L("Regular reception"), L("Cases")), "reception.by_type.regular.cases"),
    ((L("Citizen reception"), L("Periodic reception by the head"), L("Sessions")),
     "reception.by_type.periodic_head.sessions"),
    ((L("Citizen reception"), L("Periodic reception by the head"), L("Persons")),
     "reception.by_type.periodic_head.persons"),
    ((L("Citizen reception"), L("Periodic reception by the head"), L("Cases")),
     "reception.by_type.periodic_head.cases"),
    ((L("Citizen reception"), L("Ad hoc reception"), L("Sessions")), "reception.by_type.ad_hoc.sessions"),
    ((L("Citizen reception"), L("Ad hoc reception"), L("Persons")), "reception.by_type.ad_hoc.persons"),
    ((L("Citizen reception"), L("Ad hoc reception"), L("Cases")), "reception.by_type.ad_hoc.cases"),
    ((L("Petitions received and processed"), L("Total")), "petitions.total"),
    ((L("Petitions received and processed"), L("Carried over")), "petitions.carried_over"),
    ((L("Petitions received and processed"), L("Received in the period")), "petitions.received"),
    ((L("Petitions received and processed"), L("By kind"), L("Complaints")), "petitions.by_kind.complaint"),
    ((L("Petitions received and processed"), L("By kind"), L("Denunciations")), "petitions.by_kind.denunciation"),
    ((L("Petitions received and processed"), L("By kind"), L("Recommendations")),
     "petitions.by_kind.recommendation"),
    ((L("Petitions received and processed"), L("By kind"), L("Feedback")), "petitions.by_kind.feedback"),
    ((L("Petitions received and processed"), L("By competence"), L("Within")), "petitions.by_competence.within"),
    ((L("Petitions received and processed"), L("By competence"), L("Outside")), "petitions.by_competence.outside"),
    ((L("Petitions received and processed"), L("By competence"), L("Not assessed")),
     "petitions.by_competence.not_assessed"),
    ((L("Petitions received and processed"), L("Outcome"), L("Accepted")), "petitions.outcome.accepted"),
    ((L("Petitions received and processed"), L("Outcome"), L("Not accepted")), "petitions.outcome.not_accepted"),
    ((L("Petitions received and processed"), L("Outcome"), L("Forwarded")), "petitions.outcome.forwarded"),
    ((L("Petitions received and processed"), L("Outcome"), L("Guided")), "petitions.outcome.guided"),
    ((L("Petitions received and processed"), L("Outcome"), L("Archived")), "petitions.outcome.archived"),
    ((L("Petitions received and processed"), L("Outcome"), L("Withdrawn")), "petitions.outcome.withdrawn"),
    ((L("Petitions received and processed"), L("Outcome"), L("Pending")), "petitions.outcome.pending"),
    ((L("Complaints resolved"), L("In competence")), "complaints.in_competence"),
    ((L("Complaints resolved"), L("Carried over")), "complaints.carried_over"),
    ((L("Complaints resolved"), L("Resolved"), L("Total")), "complaints.resolved"),
    ((L("Complaints resolved"), L("Resolved"), L("By decision")), "complaints.by_decision"),
    ((L("Complaints resolved"), L("Resolved"), L("By withdrawal")), "complaints.by_withdrawal"),
    ((L("Complaints resolved"), L("Round"), L("First")), "complaints.round.1"),
    ((L("Complaints resolved"), L("Round"), L("Second")), "complaints.round.2"),
    ((L("Complaints resolved"), L("Time limit"), L("On time")), "complaints.on_time"),
    ((L("Complaints resolved"), L("Time limit"), L("Overdue")), "complaints.overdue"),
    ((L("Complaints resolved"), L("Result"), L("Right")), "complaints.result.right"),
    ((L("Complaints resolved"), L("Result"), L("Wrong")), "complaints.result.wrong"),
    ((L("Complaints resolved"), L("Result"), L("Partly right")), "complaints.result.partly_right"),
    ((L("Denunciations resolved"), L("In competence")), "denunciations.in_competence"),
    ((L("Denunciations resolved"), L("Carried over")), "denunciations.carried_over"),
    ((L("Denunciations resolved"), L("Resolved"), L("Total")), "denunciations.resolved"),
    ((L("Denunciations resolved"), L("Resolved"), L("By conclusion")), "denunciations.by_decision"),
    ((L("Denunciations resolved"), L("Resolved"), L("By withdrawal")), "denunciations.by_withdrawal"),
    ((L("Denunciations resolved"), L("Time limit"), L("On time")), "denunciations.on_time"),
    ((L("Denunciations resolved"), L("Time limit"), L("Overdue")), "denunciations.overdue"),
    ((L("Denunciations resolved"), L("Result"), L("Right")), "denunciations.result.right"),
    ((L("Denunciations resolved"), L("Result"), L("Wrong")), "denunciations.result.wrong"),
    ((L("Denunciations resolved"), L("Result"), L("Partly right")), "denunciations.result.partly_right"),
    ((L("Other figures"), L("Backlog at the end of the period")), "backlog_at_end"),
    ((L("Other figures"), L("Over-level petitions")), "over_level"),
    ((L("Other figures"), L("Mass petitions")), "mass"),
)


def value_at(report: dict, key: str):
    value = report
    for part in key.split("."):
        value = value[part]
    return value


def title(report: dict) -> str:
    return _("Report on citizen reception, petitions, complaints and denunciations")


def subtitle(report: dict) -> str:
    scope = _("with its sub-units") if report["rollup"] else _("this unit only")
    return _("Unit %(unit)s (%(scope)s), data from %(start)s to %(end)s") % {
        "unit": report["unit"], "scope": scope, "start": report["period"]["from"], "end": report["period"]["to"]}


def field_rows(report: dict) -> list[tuple[str, int]]:
    return [(code or str(_("No field given")), count) for code, count in report["petitions"]["by_field"].items()]


def render_xlsx(report: dict) -> bytes:
    """The statistics table: a title, merged header cells on three rows, column numbers, the unit's row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Report"))[:31]
    width = len(COLUMNS) + 1
    sheet.cell(row=1, column=1, value=title(report)).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=subtitle(report))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    top = 4  # header rows 4-6, column numbers 7, the unit 8
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.cell(row=top, column=1, value=str(_("Unit")))
    sheet.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=1)
    paths = [[str(part) for part in path] for path, _key in COLUMNS]
    for level in range(3):
        column = 0
        while column < len(paths):
            path = paths[column]
            if level >= len(path):
                column += 1
                continue
            span = 1
            leaf = level == len(path) - 1
            while (column + span < len(paths) and len(paths[column + span]) > level
                   and (len(paths[column + span]) - 1 == level) == leaf
                   and paths[column + span][: level + 1] == path[: level + 1]):
                span += 1
            row = top + level
            depth = 3 - len(path) if level == len(path) - 1 else 0  # a short path's leaf fills the rows below
            sheet.cell(row=row, column=column + 2, value=path[level])
            if span > 1 or depth:
                sheet.merge_cells(start_row=row, start_column=column + 2, end_row=row + depth,
                                  end_column=column + 1 + span)
            column += span
    for index in range(width):
        sheet.cell(row=top + 3, column=index + 1, value=index + 1 if index else "A")
    sheet.cell(row=top + 4, column=1, value=report["unit"])
    for index, (_path, key) in enumerate(COLUMNS):
        sheet.cell(row=top + 4, column=index + 2, value=int(value_at(report, key)))
    for row in sheet.iter_rows(min_row=top, max_row=top + 4, max_col=width):
        for cell in row:
            cell.alignment = centre
            cell.border = box
    for row in sheet.iter_rows(min_row=top, max_row=top + 3, max_col=width):
        for cell in row:
            cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=top + 4, column=2)

    fields = book.create_sheet(str(_("By field"))[:31])
    fields.append([str(_("Field")), str(_("Petitions received"))])
    for code, count in field_rows(report):
        fields.append([code, int(count)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def flat_rows(report: dict) -> list[tuple[str, str, int]]:
    """(JSON key, label, value) for every figure of the table, then the fields."""
    rows = [(key, " / ".join(str(part) for part in path), int(value_at(report, key))) for path, key in COLUMNS]
    rows += [(f"petitions.by_field.{code}", str(_("Field")) + f": {label}", int(count))
             for (code, count), (label, _c) in zip(report["petitions"]["by_field"].items(), field_rows(report))]
    return rows


def render_csv(report: dict) -> bytes:
    """One line per figure: key, label, value (UTF-8 with a BOM, so spreadsheet programs read the Vietnamese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", str(_("Figure")), str(_("Value"))])
    writer.writerow(["unit", str(_("Unit")), report["unit"]])
    writer.writerow(["period.from", str(_("From")), report["period"]["from"]])
    writer.writerow(["period.to", str(_("To")), report["period"]["to"]])
    writer.writerow(["rollup", str(_("With sub-units")), "1" if report["rollup"] else "0"])
    for row in flat_rows(report):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# The letters' vendored Liberation Serif (letters/fonts, full Vietnamese coverage), through file URLs:
# the PDF never depends on the fonts of the machine, and reads the same as the letters.
FONT_FACES = (("Regular", "normal", "normal"), ("Bold", "bold", "normal"), ("Italic", "normal", "italic"),
              ("BoldItalic", "bold", "italic"))


def _font_face() -> str:
    from letters.render import FONTS

    faces = "".join(
        f"@font-face {{ font-family: 'Report Serif'; src: url('{(FONTS / f'LiberationSerif-{name}.ttf').as_uri()}'); "
        f"font-weight: {weight}; font-style: {style}; }}\n" for name, weight, style in FONT_FACES)
    return faces + "body { font-family: 'Report Serif'; }"


def render_html(report: dict) -> str:
    """A printable page of the figures (the PDF's source)."""
    lines = []
    section = None
    for (path, key), (_key, _label, value) in zip(COLUMNS, flat_rows(report)):
        if str(path[0]) != section:
            section = str(path[0])
            lines.append(f'<tr class="section"><th colspan="2">{escape(section)}</th></tr>')
        label = " / ".join(str(part) for part in path[1:])
        lines.append(f"<tr><td>{escape(label)}</td><td class=\"n\">{value}</td></tr>")
    fields = "".join(f"<tr><td>{escape(label)}</td><td class=\"n\">{int(count)}</td></tr>"
                     for label, count in field_rows(report))
    style = _font_face() + """
        @page { size: A4; margin: 15mm; }
        body { font-size: 10pt; }
        h1 { font-size: 13pt; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 8mm; }
        td, th { border: 1px solid #444; padding: 2px 6px; text-align: left; }
        td.n { text-align: right; width: 25mm; }
        tr.section th { background: #ddd; }"""
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><style>{style}</style></head><body>"
            f"<h1>{escape(title(report))}</h1><p>{escape(subtitle(report))}</p>"
            f"<table>{''.join(lines)}</table>"
            f"<table><tr class=\"section\"><th colspan=\"2\">{escape(str(_('By field')))}</th></tr>{fields}</table>"
            "</body></html>")


def render_pdf(report: dict) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=render_html(report)).write_pdf(font_config=FontConfiguration())  # reads the @font-face


RENDERERS = {"xlsx": render_xlsx, "csv": render_csv, "pdf": render_pdf}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}
