"""In-process snapshots of the rules table and the calendar, kept honest across processes.

Both tables are small and read on every intake, so each process keeps a
snapshot. A version stamp in Django's cache (Redis when ``REDIS_URL`` is set)
tells other processes to rebuild: it is bumped on save/delete of a rule, an
override or a calendar year (``deadlines.receivers``; and again on commit, so nobody rebuilds from uncommitted data). A
process looks at the stamp at most once every
``settings.DEADLINE_CACHE_CHECK_SECONDS`` (default 1 s), so a warm call costs
no query at all and at most one cache read.
"""
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

VERSION_KEY = "deadlines:data-version"

_objects: dict[str, object] = {}
_state = {"version": None, "checked_at": float("-inf")}


def _check_interval() -> float:
    return float(getattr(settings, "DEADLINE_CACHE_CHECK_SECONDS", 1.0))


def _sync() -> None:
    now = time.monotonic()
    if now - _state["checked_at"] < _check_interval():
        return
    _state["checked_at"] = now
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # a cache outage must not stop intake: keep the snapshot we have
        log.warning("deadlines: cache version check failed; keeping the local snapshot", exc_info=True)
        return
    if version != _state["version"]:
        _objects.clear()
        _state["version"] = version


def snapshot(name: str, build):
    """Return the cached object ``name``, building it with ``build()`` when missing or stale."""
    _sync()
    obj = _objects.get(name)
    if obj is None:
        obj = build()
        _objects[name] = obj
    return obj


def _bump() -> None:
    _objects.clear()
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_KEY, version, timeout=None)
    except Exception:
        log.warning("deadlines: could not publish the new data version", exc_info=True)
    _state["version"] = version
    _state["checked_at"] = time.monotonic()


def drop_local() -> None:
    """Forget this process's snapshots (no database or transaction involved)."""
    _bump()


def invalidate() -> None:
    """Drop the snapshots here now, and tell every process once the change is committed."""
    _bump()
    transaction.on_commit(_bump)


def check_now() -> None:
    """Look at the version stamp now, not at the next interval: for a job that must see the latest change."""
    _state["checked_at"] = float("-inf")
    _sync()
