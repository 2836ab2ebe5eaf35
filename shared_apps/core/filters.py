from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.filters import OrderingFilter


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when no query parameter names a filter: building and
    validating the filter form costs ~3 ms per request, and without a filter parameter it
    filters nothing. (Every filter here reads one parameter named like the filter.)"""

    def narrows(self, request, queryset, view) -> bool:
        """Whether the request names one of the view's filters."""
        filterset_class = self.get_filterset_class(view, queryset)
        return filterset_class is not None and not filterset_class.base_filters.keys().isdisjoint(
            request.query_params.keys()
        )

    def filter_queryset(self, request, queryset, view):
        if not self.narrows(request, queryset, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`."""

    def narrows(self, request, queryset, view) -> bool:
        """Whether the request searches (a blank search finds every row). Without a search
        text, DRF's parsing of it (a field built and run per request) is skipped: it finds no
        terms in an empty text."""
        if not request.query_params.get(self.search_param):
            return False
        return bool(getattr(view, "search_fields", None) and self.get_search_terms(request))


class StableOrderingFilter(OrderingFilter):
    """DRF's `?ordering=`, made a total order: rows that tie on the fields asked for come in id
    order (in the direction of the first field), so that a page never repeats or skips a row,
    and an index on `(field, id)` serves the page without sorting the table. An ordering that
    already names the id, or starts with a unique field (a car's plate, a kit's car's plate), is
    left as it is."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or not isinstance(ordering[0], str):
            return ordering
        names = {field.lstrip("-") for field in ordering}
        first = ordering[0].lstrip("-")
        if names & {"id", "pk"} or _is_unique(queryset.model, first):
            return ordering
        return [*ordering, "-id" if ordering[0].startswith("-") else "id"]


def _is_unique(model, path: str) -> bool:
    """Whether `path` (`numplate`, `car__numplate`) names one row at most: a unique field, or a
    unique field reached through one-to-one relations (a car's kit by the car's plate)."""
    *relations, name = path.split(LOOKUP_SEP)
    try:
        for relation in relations:
            field = model._meta.get_field(relation)
            if not (field.one_to_one or getattr(field, "unique", False)):
                return False
            model = field.related_model
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.unique or any(  # (a primary key is unique)
        tuple(constraint.fields) == (name,) for constraint in model._meta.total_unique_constraints
    )
