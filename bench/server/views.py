"""The baseline of the API benchmark: the rows of a list endpoint's first page from one raw SQL
query (`sql.QUERIES`), serialised with orjson, behind the same middleware and the same JWT
authentication as the API, but without DRF's view, filter, pagination (no count) and serializer
machinery."""

import orjson
from django.db import connection
from django.http import HttpResponse
from django.utils.dates import MONTHS
from rest_framework.exceptions import AuthenticationFailed

from bench.server.sql import QUERIES, query_params
from shared_apps.accounts.authentication import CompanyJWTAuthentication


def bare_list(request, name: str):
    try:
        if CompanyJWTAuthentication().authenticate(request) is None:
            return HttpResponse(status=401)
    except AuthenticationFailed:
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(QUERIES[name], query_params())
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if name == "fuel-records":
        for row in rows:
            row["month_name"] = str(MONTHS[row["month"]])
    return HttpResponse(orjson.dumps({"results": rows}), content_type="application/json")
