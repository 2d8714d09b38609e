"""A change of the rules or the calendar, told to whoever stores deadlines computed from them.

Saving or deleting a ``CalendarOverride``, ``DeadlineRule`` or ``CalendarYear``
(the admin, a shell, a data load) invalidates the snapshots (``deadlines.cache``),
rebuilds the working-day table (``deadlines.workdays``) and sends
``data_changed`` with a ``DataChange``: the dates and kinds of case the change
can affect. ``deadlines`` imports no app above it; ``cases`` subscribes and
recomputes the stored due dates of the open cases concerned once the change
commits (``cases.recompute``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from contextvars import ContextVar
from dataclasses import asdict, dataclass

from django.dispatch import Signal

data_changed = Signal()  # change: DataChange

_actor: ContextVar[int | None] = ContextVar("deadline_data_actor", default=None)
_muted: ContextVar[bool] = ContextVar("deadline_data_muted", default=False)


@dataclass(frozen=True)
class DataChange:
    """What a change can affect: cases of ``kinds`` (None: every kind) whose deadline
    windows reach [first, last] (None: unbounded on that side)."""

    model: str
    description: str
    first: dt.date | None = None
    last: dt.date | None = None
    kinds: tuple[str, ...] | None = None
    actor_id: int | None = None

    def as_dict(self) -> dict:
        """JSON-ready, for a Celery message."""
        data = asdict(self)
        for key in ("first", "last"):
            data[key] = data[key].isoformat() if data[key] else None
        data["kinds"] = list(self.kinds) if self.kinds is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DataChange:
        data = dict(data)
        for key in ("first", "last"):
            data[key] = dt.date.fromisoformat(data[key]) if data.get(key) else None
        data["kinds"] = tuple(data["kinds"]) if data.get("kinds") is not None else None
        return cls(**data)


@contextlib.contextmanager
def acting(user):
    """Changes made inside are attributed to ``user`` (the admin's save and delete run inside)."""
    token = _actor.set(user.pk if getattr(user, "is_authenticated", False) else None)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor_id() -> int | None:
    return _actor.get()


@contextlib.contextmanager
def muted():
    """Bulk loads (seeding many rows): no per-row rebuild or recompute; the caller does them once after."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()
