"""Deadline arithmetic: rules (data) + calendar -> due dates with their basis.

INTERFACE CONTRACT (implemented by the deadlines work; used by cases.services,
the ``deadline`` command and the SLA sweep):

    compute_deadlines(DeadlineInput) -> DeadlineResult
"""
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DeadlineInput:
    kind: str
    received: date
    round: int = 1
    complexity: str = "simple"
    remote: bool = False
    multi_site: bool = False
    anonymous: bool = False
    accepted: date | None = None
    extensions: int = 0
    # ((suspended_on, resumed_on or None), ...): an open suspension pauses the clock.
    suspensions: tuple[tuple[date, date | None], ...] = ()


@dataclass
class DeadlineResult:
    acceptance_due: date | None
    resolution_due: date | None
    notice_due: date | None = None
    max_extensions: int = 0
    basis: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        raise NotImplementedError


def compute_deadlines(inp: DeadlineInput) -> DeadlineResult:
    raise NotImplementedError
