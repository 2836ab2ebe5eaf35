from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination

from . import counts


class CountCachingPaginator(Paginator):
    """Django's paginator, counting a queryset through `core.counts` (exact, cached for
    tracked models)."""

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):  # a list, a range: Django counts it
            return Paginator.count.func(self)
        return counts.count(self.object_list)


class PageNumberPagination(DRFPageNumberPagination):
    """`?page=` and `?page_size=` (default 25, at most 200)."""

    django_paginator_class = CountCachingPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, except that the page's rows are returned as they are (a queryset not yet
        run), not as a list of model instances: the list serializer may read them as values
        (`core.rows.CompiledListSerializer`). Iterated, they are the same instances. (A
        compiled page, `core.page_sql`, pages a `range` of its count: its slice is the page's
        bounds.)"""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            message = self.invalid_page_message.format(page_number=page_number, message=str(exc))
            raise NotFound(message) from exc
        return self.page.object_list
