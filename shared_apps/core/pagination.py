from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination


class PageNumberPagination(DRFPageNumberPagination):
    """`?page=` and `?page_size=` (default 25, at most 200)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
