"""Rule look-ups by the date of the starting event (INTERFACE; implemented by the deadlines work)."""
from datetime import date


def find_rule(*, kind: str, deadline_type: str, on: date, round: int = 1, complexity: str = "simple",
              remote: bool = False, multi_site: bool = False):
    raise NotImplementedError


def suspension_rule(*, kind: str, on: date):
    raise NotImplementedError


def extensions_allowed(*, kind: str, round: int, complexity: str, remote: bool, on: date) -> int:
    raise NotImplementedError
