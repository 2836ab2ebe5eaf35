from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import DictionaryKind
from .selectors import dictionaries_all, dictionary_list
from .serializers import DictionariesSerializer, DictionaryItemSerializer


class DictionariesView(APIView):
    """Every dictionary at once: `{regions, fuel_types, ...}`, each a list of `{code, name}`."""

    @extend_schema(
        responses={200: DictionariesSerializer},
        summary="Get every dictionary",
        description="Every dictionary at once: `{regions, fuel_types, ...}`, each a list of "
        "`{code, name}` with the name in the user's language.",
    )
    def get(self, request):
        return Response(dictionaries_all())


class DictionaryView(APIView):
    """One dictionary by name (e.g. `brands`)."""

    @extend_schema(
        parameters=[OpenApiParameter("name", str, "path", enum=DictionaryKind.values)],
        responses={200: DictionaryItemSerializer(many=True)},
        summary="Get one dictionary",
        description="One dictionary by name (e.g. `brands`): a list of `{code, name}`.",
    )
    def get(self, request, name: str):
        if name not in DictionaryKind.values:
            raise NotFound(f"Unknown dictionary '{name}'.")
        return Response(dictionary_list(kind=name))
