"""Paging for lists that can hold a whole province's cases."""
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 rows: past that a queue says "more than 1,000" instead of
    counting every case of a province on each page view (the count grew with N; the page did not).
    The home counters give the exact size of each queue."""

    COUNT_CAP = 1_000

    @cached_property
    def count(self) -> int:
        # only the keys: the rows' annotations (e.g. the inbox's first petitioner) cost a subquery each
        return self.object_list.order_by().values("pk")[: self.COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP
