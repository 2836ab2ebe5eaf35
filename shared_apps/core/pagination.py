from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination

from . import counts


class CountCachingPaginator(Paginator):
    """Django's paginator, counting through `core.counts` (exact, cached for tracked models)."""

    @cached_property
    def count(self) -> int:
        return counts.count(self.object_list)


class PageNumberPagination(DRFPageNumberPagination):
    """`?page=` and `?page_size=` (default 25, at most 200)."""

    django_paginator_class = CountCachingPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
