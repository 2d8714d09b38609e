"""Rule look-ups by the date of the starting event.

Laws change (reference §0), so a rule is chosen by the date of the event that
starts its clock, never by today's date. The whole table is small: it is read
once per process into immutable ``Rule`` snapshots (see ``deadlines.cache``).
"""
from dataclasses import dataclass
from datetime import date

from . import cache
from .models import DeadlineType

SELECTORS = ("round", "complexity", "remote", "multi_site")
# Rows whose existence means the law provides for suspending the clock of that kind (K11, T5).
SUSPENSION_CODES = ("K11", "T5")


@dataclass(frozen=True)
class Rule:
    id: int
    code: str
    deadline_type: str
    kind: str
    round: int | None
    complexity: str | None
    remote: bool | None
    multi_site: bool | None
    start_event: str
    length: int
    day_count: str
    max_extensions: int
    extension_length: int
    effective_from: date
    effective_to: date | None
    legal_source: str
    note: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def specificity(self) -> int:
        return sum(getattr(self, s) is not None for s in SELECTORS)


def _build() -> dict[tuple[str, str], tuple[Rule, ...]]:
    from .models import DeadlineRule

    fields = list(Rule.__dataclass_fields__)
    table: dict[tuple[str, str], list[Rule]] = {}
    for values in DeadlineRule.objects.values_list(*fields):
        row = Rule(*values)
        table.setdefault((row.kind, row.deadline_type), []).append(row)
    return {key: tuple(rows) for key, rows in table.items()}


def _rows(kind: str, deadline_type: str) -> tuple[Rule, ...]:
    return cache.snapshot("rules", _build).get((kind, deadline_type), ())


def find_rule(*, kind: str, deadline_type: str, on: date, round: int = 1, complexity: str = "simple",
              remote: bool = False, multi_site: bool = False, code: str | None = None) -> Rule | None:
    """The rule in force on ``on`` for this case; the most specific match wins.

    A selector column set on the row must equal the case's value; NULL means
    "any". Among matches, more selectors set beats fewer; then the later
    ``effective_from``. ``code`` narrows the choice where one deadline type
    has several timers (e.g. T6 and C6 are both report-backs).
    """
    wanted = {"round": round, "complexity": complexity, "remote": remote, "multi_site": multi_site}
    best = None
    for row in _rows(kind, deadline_type):
        if code is not None and row.code != code:
            continue
        if not row.in_force(on):
            continue
        if any(getattr(row, s) is not None and getattr(row, s) != wanted[s] for s in SELECTORS):
            continue
        if best is None or (row.specificity, row.effective_from, row.id) > (best.specificity, best.effective_from, best.id):
            best = row
    return best


def suspension_rule(*, kind: str, on: date) -> Rule | None:
    """The rule that lets the clock of ``kind`` be suspended on ``on`` (K11, T5), or None if the law has none."""
    for code in SUSPENSION_CODES:
        found = find_rule(kind=kind, deadline_type=DeadlineType.OTHER, on=on, code=code)
        if found is not None:
            return found
    return None


def extensions_allowed(*, kind: str, round: int, complexity: str, remote: bool, on: date) -> int:
    """How many extensions the resolution period in force on ``on`` (the acceptance date) allows."""
    found = find_rule(kind=kind, deadline_type=DeadlineType.RESOLUTION, on=on, round=round,
                      complexity=complexity, remote=remote)
    return found.max_extensions if found else 0


def extension_length(*, kind: str, round: int, complexity: str, remote: bool, on: date) -> int:
    """The most days one extension may add under the resolution period in force on ``on`` (T4: 30)."""
    found = find_rule(kind=kind, deadline_type=DeadlineType.RESOLUTION, on=on, round=round,
                      complexity=complexity, remote=remote)
    return found.extension_length if found and found.max_extensions else 0
