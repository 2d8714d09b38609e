"""What a save or delete of the rules or the calendar sets off (connected in ``deadlines.apps``).

1. the in-process snapshots are dropped everywhere (``deadlines.cache``);
2. the working-day table is rebuilt from the first day the change touches (``deadlines.workdays``);
3. ``changes.data_changed`` tells the subscribers (``cases``) which cases the change can affect.

All three run inside the transaction of the save, so a rolled-back change
leaves the table as it was and recomputes nothing (``cases`` waits for the
commit before it recomputes).
"""
import datetime as dt

from django.utils.translation import gettext as _

from . import cache, changes, workdays

# The columns whose change can move a due date or its basis (others, e.g. a description, cannot).
RELEVANT = {
    "CalendarOverride": ("date", "kind", "assumed"),
    "CalendarYear": ("year", "confirmed"),
}


def _fields(model) -> tuple[str, ...]:
    return RELEVANT.get(model.__name__) or tuple(f.attname for f in model._meta.concrete_fields)


def remember_previous(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: keep the stored row, so that the change covers both where it was and where it is."""
    instance._deadline_previous = None
    if instance.pk is not None and not raw:
        instance._deadline_previous = sender.objects.filter(pk=instance.pk).values(*_fields(sender)).first()


def _day(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


def _describe(sender, instance, previous: dict | None, deleted: bool) -> changes.DataChange | None:
    name = sender.__name__
    if not deleted and previous is not None and all(previous[f] == getattr(instance, f) for f in _fields(sender)):
        return None  # a description or a source edited: no date can move
    actor = changes.current_actor_id()
    verb = "deleted" if deleted else "changed" if previous is not None else "added"
    if name == "CalendarOverride":
        days = {instance.date} | ({previous["date"]} if previous else set())
        text = {
            "added": _("working calendar: %(kind)s on %(day)s added"),
            "changed": _("working calendar: %(kind)s on %(day)s changed"),
            "deleted": _("working calendar: %(kind)s on %(day)s removed"),
        }[verb] % {"kind": instance.get_kind_display().lower(), "day": _day(instance.date)}
        if instance.source:
            text = f"{text} ({instance.source})"
        return changes.DataChange(model=name, description=text[:255], first=min(days), last=max(days),
                                  actor_id=actor)
    if name == "CalendarYear":
        years = {instance.year} | ({previous["year"]} if previous else set())
        if deleted or not instance.confirmed:
            text = _("holiday schedule of %(year)s marked unconfirmed") % {"year": instance.year}
        else:
            text = _("holiday schedule of %(year)s confirmed") % {"year": instance.year}
        return changes.DataChange(model=name, description=text, first=dt.date(min(years), 1, 1),
                                  last=dt.date(max(years), 12, 31), actor_id=actor)
    if name == "DeadlineRule":
        rows = [{"kind": instance.kind, "effective_from": instance.effective_from, "effective_to": instance.effective_to}]
        if previous:
            rows.append(previous)
        ends = [r["effective_to"] for r in rows]
        text = {
            "added": _("deadline rule %(code)s added (%(source)s)"),
            "changed": _("deadline rule %(code)s changed (%(source)s)"),
            "deleted": _("deadline rule %(code)s removed (%(source)s)"),
        }[verb] % {"code": instance.code, "source": instance.legal_source}
        return changes.DataChange(
            model=name, description=text[:255], first=min(r["effective_from"] for r in rows),
            last=None if None in ends else max(ends), kinds=tuple(sorted({r["kind"] for r in rows})), actor_id=actor,
        )
    return None


def on_saved(sender, instance, raw=False, **kwargs) -> None:
    _changed(sender, instance, getattr(instance, "_deadline_previous", None), deleted=False, raw=raw)


def on_deleted(sender, instance, **kwargs) -> None:
    _changed(sender, instance, None, deleted=True)


def _changed(sender, instance, previous, *, deleted: bool, raw: bool = False) -> None:
    cache.invalidate()
    if raw or changes.is_muted():
        return
    change = _describe(sender, instance, previous, deleted)
    if change is None:
        return
    if sender.__name__ in RELEVANT:  # the calendar's own tables: the working days may have moved
        workdays.rebuild(since=change.first)
    changes.data_changed.send(sender=sender, change=change)


def rebuild_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """post_migrate: the working-day table is built (or brought up to date) with the migrated calendar.

    A ``flush`` sends post_migrate too (without a plan): it has just emptied
    the table, which ``workdays.ensure`` rebuilds when it is next needed.
    """
    from django.db import connections

    from .models import CalendarDay

    if plan is None or CalendarDay._meta.db_table not in connections[using].introspection.table_names():
        return
    cache.drop_local()
    workdays.rebuild(since=workdays.default_range()[0])
