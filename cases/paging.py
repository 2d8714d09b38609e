"""Paging for lists that can hold a whole province's cases."""
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 rows: past that a queue says "more than 1,000" instead of
    counting every case of a province on each page view (the count grew with N; the page did not).
    The home counters give the exact size of each queue."""

    COUNT_CAP = 1_000

    def __init__(self, object_list, per_page, *args, count_queryset=None, **kwargs):
        """``count_queryset``: the same rows read more cheaply for counting (e.g. without the joins the
        page needs only for its columns and order)."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        rows = self.object_list if self.count_queryset is None else self.count_queryset
        # only the keys: the rows' annotations (e.g. the inbox's first petitioner) cost a subquery each
        return rows.order_by().values("pk")[: self.COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP
