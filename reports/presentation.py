"""How a report's JSON reads on the page: sections of labelled figures, and the series of its charts.

Only the integer figures are shown (flattened: ``petitions.by_kind.complaint``); labels come from
``LABELS`` and fall back to the key, so a figure added to the report is never hidden.
"""
from django.utils.translation import gettext_lazy as _

SECTION_TITLES = {
    "reception": _("Citizen reception"),
    "petitions": _("Petition processing"),
    "complaints": _("Complaints"),
    "denunciations": _("Denunciations"),
}

LABELS = {
    "sessions": _("Reception sessions"),
    "persons": _("Persons received"),
    "mass_groups": _("Mass groups"),
    "mass_persons": _("Persons in mass groups"),
    "cases": _("Cases received at sessions"),
    "total": _("Total to process"),
    "withdrawn": _("Withdrawn"),
    "pending": _("Pending"),
    "within": _("Within competence"),
    "outside": _("Outside competence"),
    "not_assessed": _("Competence not assessed"),
    "no_due_date": _("Without a due date"),
    "not_stated": _("Result not stated"),
    "received": _("Received in the period"),
    "carried_over": _("Carried over"),
    "eligible": _("Eligible"),
    "complaint": _("Complaints"),
    "denunciation": _("Denunciations"),
    "recommendation": _("Recommendations"),
    "feedback": _("Feedback"),
    "accepted": _("Accepted"),
    "not_accepted": _("Not accepted"),
    "forwarded": _("Forwarded"),
    "guided": _("Guided"),
    "archived": _("Archived"),
    "resolved": _("Resolved"),
    "on_time": _("On time"),
    "overdue": _("Overdue"),
    "in_competence": _("In competence"),
    "by_decision": _("By decision"),
    "by_withdrawal": _("By withdrawal"),
    "right": _("Right"),
    "wrong": _("Wrong"),
    "partly_right": _("Partly right"),
    "protected": _("Denouncers protected"),
    "denouncers_protected": _("Denouncers protected"),
    "backlog_at_end": _("Backlog at the end of the period"),
    "over_level": _("Over-level cases"),
    "mass": _("Mass cases"),
    "1": _("First round"),
    "2": _("Second round"),
}

GROUP_LABELS = {
    "by_kind": _("by kind"),
    "outcome": _("outcome"),
    "round": _("round"),
    "result": _("result"),
    "by_type": _("by type"),
    "by_field": _("by field"),
    "by_competence": _("by competence"),
    "complaint_round": _("complaint round"),
}

#: (chart id, title, figure prefix) — drawn when the report has figures under that prefix.
CHARTS = (
    ("by_kind", _("Petitions received, by kind"), "petitions.by_kind."),
    ("outcome", _("Petitions, by outcome"), "petitions.outcome."),
    ("complaints_timeliness", _("Complaints resolved on time and overdue"), "complaints."),
    ("denunciations_timeliness", _("Denunciations resolved on time and overdue"), "denunciations."),
)
TIMELINESS = ("on_time", "overdue")


def _label(path: list[str]) -> str:
    leaf = str(LABELS.get(path[-1], path[-1]))
    groups = [str(GROUP_LABELS.get(p, p)) for p in path[:-1]]
    return f"{leaf} ({', '.join(groups)})" if groups else leaf


def _leaves(value, path):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, [*path, str(key)])
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value


def report_sections(report: dict | None) -> dict:
    """``{"sections": [{"title", "rows": [(label, key, value)]}], "charts": [...]}``."""
    report = report or {}
    sections, general = [], []
    for key, value in report.items():
        if key in ("period", "unit", "rollup"):
            continue
        if isinstance(value, dict):
            rows = [(_label(path), ".".join([key, *path]), n) for path, n in _leaves(value, [])]
            sections.append({"title": str(SECTION_TITLES.get(key, key)), "rows": rows})
        elif isinstance(value, int) and not isinstance(value, bool):
            general.append((_label([key]), key, value))
    if general:
        sections.append({"title": str(_("Backlog, over-level and mass cases")), "rows": general})
    charts = []
    for chart_id, title, prefix in CHARTS:
        node = report
        for part in prefix.strip(".").split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if not isinstance(node, dict):
            continue
        keys = [k for k in TIMELINESS if k in node] if chart_id.endswith("timeliness") else [
            k for k, v in node.items() if isinstance(v, int)]
        if keys:
            charts.append({"id": chart_id, "title": str(title),
                           "labels": [str(LABELS.get(k, k)) for k in keys], "data": [node[k] for k in keys]})
    return {"sections": sections, "charts": charts}
