"""The floor of the API benchmark: the same rows as the bare view (`sql.QUERIES`) from a plain
WSGI app, psycopg and orjson, no Django at all (no middleware, no authentication): how fast a
page can be served on this machine, so that the distance of the API to the limit is visible.

Served by gunicorn like the API (`bench.server.floor:application`); `BENCH_FLOOR_DSN` and
`BENCH_FLOOR_SCHEMA` name the database and the company schema."""

import os

import orjson
import psycopg
from psycopg import sql

from bench.server.sql import QUERIES, query_params

_connection: psycopg.Connection | None = None


def _cursor() -> psycopg.Cursor:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_FLOOR_DSN"], autocommit=True)
        schema = os.environ["BENCH_FLOOR_SCHEMA"]
        _connection.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema)))
    return _connection.cursor()


def application(environ, start_response):
    name = environ.get("PATH_INFO", "").strip("/").removeprefix("floor/")
    if name not in QUERIES:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    with _cursor() as cursor:
        cursor.execute(QUERIES[name], query_params())
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    body = orjson.dumps({"results": rows})
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
