"""The API schema as a client generator reads it (openapi-typescript, then openapi-fetch): ids,
groups, names, summaries, public descriptions, and the types of what the UI draws. What
`npx openapi-typescript` would turn into a TypeScript type is checked here on the schema itself,
so that CI needs no Node: a path id is a `number`, a JSON answer is never `Report | string`, and
the chat's `data`, an export's `params` and a report's `group_by` are not `unknown`/`string`."""

import json
import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from shared_apps.core.docs import schema_view
from tenant_apps.ai.providers.openai import DATA_KINDS
from tenant_apps.reports.selectors import GROUPINGS
from tenant_apps.reports.services import REPORTS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}
REPORT_PATHS = {
    "fuel-consumption": "/api/v1/reports/fuel-consumption/",
    "maintenance-costs": "/api/v1/reports/maintenance-costs/",
    "insurance-inspection": "/api/v1/reports/insurance-inspection/",
    "compliance": "/api/v1/reports/compliance/",
}


@pytest.fixture(scope="module")
def schema() -> dict:
    """What `GET /api/schema/?format=json` answers on acme's host (test_fuzz proves that the
    view asked directly answers the same)."""
    request = RequestFactory().get("/api/schema/", {"format": "json"}, HTTP_HOST="acme.localhost")
    with translation.override("en"):
        response = schema_view(request)
        response.render()
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def operations(schema: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def enum_of(schema: dict, node: dict) -> list:
    """The values of an enum property, however drf-spectacular wrote it (inline, `$ref`, or
    `allOf` of a `$ref` beside `readOnly`/`description`)."""
    if "allOf" in node:
        (node,) = node["allOf"]
    return resolve(schema, node)["enum"]


# --- Path ids -------------------------------------------------------------------------------------


def test_path_ids_are_integers_as_in_the_bodies(schema):
    ids = {
        label: parameter["schema"]
        for label, operation in operations(schema).items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and re.fullmatch(r"id|\w+_id", parameter["name"])
    }

    assert ids["GET /api/v1/cars/{id}/"] == {"type": "integer"}
    assert ids["POST /api/v1/cars/{id}/photos/"] == {"type": "integer"}
    assert ids["DELETE /api/v1/cars/photos/{id}/"] == {"type": "integer"}
    assert ids["PATCH /api/v1/fuel-records/{id}/"] == {"type": "integer"}
    assert ids["DELETE /api/v1/users/{id}/"] == {"type": "integer"}
    # Export and import jobs are the resources whose ids are UUIDs; no id is a plain string.
    assert {label: kind for label, kind in ids.items() if kind != {"type": "integer"}} == {
        "GET /api/v1/reports/exports/{id}/": {"type": "string", "format": "uuid"},
        "GET /api/v1/reports/exports/{id}/download/": {"type": "string", "format": "uuid"},
        "GET /api/v1/imports/{id}/": {"type": "string", "format": "uuid"},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cars/abc/",
        "/api/v1/cars/1.5/",
        "/api/v1/cars/-1/",
        "/api/v1/cars/abc/photos/",
        "/api/v1/cars/photos/abc/",
        "/api/v1/fuel-records/1e3/",
        "/api/v1/users/abc/",
        "/api/v1/reports/exports/abc/",
    ],
)
def test_an_id_that_is_not_one_is_the_json_404(acme, acme_admin, client_for, path):
    response = client_for(acme, acme_admin).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "client_error"
    assert [(error["code"], error["attr"]) for error in body["errors"]] == [("not_found", None)]


# --- Groups, names, summaries, descriptions -------------------------------------------------------


def test_operations_are_grouped_and_named_by_resource(schema):
    found = operations(schema)
    for label, operation in found.items():
        resource = label.split(" ")[1].removeprefix("/api/v1/").split("/")[0]
        assert operation["tags"] == [resource], label
    tags = [tag["name"] for tag in schema["tags"]]
    assert sorted(tags) == sorted({operation["tags"][0] for operation in found.values()})
    assert all(tag["description"] for tag in schema["tags"])

    operation_ids = [operation["operationId"] for operation in found.values()]
    assert len(set(operation_ids)) == len(found)
    assert [i for i in operation_ids if i.startswith("v1")] == []
    assert found["GET /api/v1/cars/{id}/"]["operationId"] == "cars_retrieve"
    assert found["POST /api/v1/fuel-records/"]["operationId"] == "fuel_records_create"


SUMMARIES = {
    "GET /api/v1/cars/": "List cars",
    "POST /api/v1/cars/": "Create a car",
    "GET /api/v1/cars/{id}/": "Get a car",
    "PUT /api/v1/cars/{id}/": "Replace a car",
    "PATCH /api/v1/cars/{id}/": "Update a car",
    "DELETE /api/v1/cars/{id}/": "Delete a car",
    "GET /api/v1/cars/{id}/photos/": "List a car's photos",
    "POST /api/v1/cars/{id}/photos/": "Upload a car photo",
    "DELETE /api/v1/cars/photos/{id}/": "Delete a car photo",
    "GET /api/v1/accumulators/{id}/": "Get an accumulator",
    "POST /api/v1/fuel-records/": "Create a fuel record",
    "GET /api/v1/tires/{id}/": "Get tires",
    "POST /api/v1/users/": "Create a user",
    "DELETE /api/v1/users/{id}/": "Deactivate a user",
    "POST /api/v1/auth/login/": "Log in",
    "GET /api/v1/auth/me/": "Get my profile",
    "GET /api/v1/reports/fuel-consumption/": "Fuel consumption report",
    "POST /api/v1/reports/exports/": "Queue a report export",
    "GET /api/v1/reports/exports/{id}/": "Get an export job",
    "POST /api/v1/ai/chat/": "Ask the assistant",
}


def test_every_operation_has_a_short_summary(schema):
    summaries = {label: operation.get("summary") for label, operation in operations(schema).items()}

    assert {label: summary for label, summary in summaries.items() if not summary} == {}
    assert [summary for summary in summaries.values() if len(summary) > 40] == []
    assert {label: summaries[label] for label in SUMMARIES} == SUMMARIES


# Words that belong to the code, not to the API: names of layers, modules, functions, classes.
CODE_WORDS = re.compile(
    r"\b(selectors?|services|serializers?|mixins?|querysets?|viewsets?|facade)\b"
    r"|\w\.py\b|\b_[a-z]\w*|\w\(\)|shared_apps|tenant_apps",
    re.IGNORECASE,
)


def descriptions(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + descriptions([value for key, value in node.items() if key != "description"])
    if isinstance(node, list):
        return [d for value in node for d in descriptions(value)]
    return []


def test_the_docs_say_what_the_api_does_not_how_the_code_does_it(schema):
    published = descriptions(schema["paths"]) + descriptions(schema["components"])

    assert [text for text in published if CODE_WORDS.search(text)] == []
    # A view's docstring is not its operation's description (`Batteries.`, the assistant's
    # "reads ... through the reports' selectors"); an operation has one where the view writes it.
    found = operations(schema)
    assert "description" not in found["GET /api/v1/accumulators/"]
    assert "selectors" not in found["POST /api/v1/ai/chat/"]["description"]
    assert found["DELETE /api/v1/users/{id}/"]["description"].startswith("The user can no longer")
    # A serializer's description is its own docstring, not that of a base class or a mixin.
    assert "description" not in component(schema, "FuelConsumption")  # KeywordNamesMixin's
    assert "description" not in component(schema, "CarPhoto")  # FleetModelSerializer's
    car_list = component(schema, "CarList")
    assert car_list["description"] == "A car in a list: what a fleet table shows."


# --- Types of what the UI draws -------------------------------------------------------------------


def test_a_report_answers_json_or_a_file_each_under_its_own_media_type(schema):
    for report, path in REPORT_PATHS.items():
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        body = resolve(schema, content["application/json"]["schema"])
        assert body["type"] == "object", report
        assert content == {
            "application/json": content["application/json"],
            "text/csv": {"schema": BINARY},
            XLSX: {"schema": BINARY},
        }


def test_no_json_answer_is_a_union_with_a_string(schema):
    unions = []
    for label, operation in operations(schema).items():
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if media is None:
                continue
            body = resolve(schema, media["schema"])
            variants = [resolve(schema, v) for v in body.get("oneOf", []) + body.get("anyOf", [])]
            if body.get("type") == "string" or any(v.get("type") == "string" for v in variants):
                unions.append(f"{label} {status}")
    assert unions == []


MONTH_REPORTS = {"fuel-consumption": "FuelConsumption", "maintenance-costs": "MaintenanceCosts"}


def test_group_by_is_an_enum_of_each_report(schema):
    for report, body in MONTH_REPORTS.items():
        # The query parameter, the answer and the export's parameter: the values the report takes.
        groupings = list(REPORTS[report].params().fields["group_by"].choices)
        assert {"month", "year", "car"} <= set(groupings), report
        parameters = schema["paths"][REPORT_PATHS[report]]["get"]["parameters"]
        (query,) = [p for p in parameters if p["name"] == "group_by"]
        assert query["schema"]["enum"] == groupings
        assert enum_of(schema, component(schema, body)["properties"]["group_by"]) == groupings
        export_params = component(schema, f"{body}ExportParamsRequest")
        assert enum_of(schema, export_params["properties"]["group_by"]) == groupings
    # The assistant's reports take the groupings every month report has (`facade`).
    chat = component(schema, "ChatFuelConsumption")
    assert enum_of(schema, chat["properties"]["group_by"]) == list(GROUPINGS)


def discriminated_all_ofs(schema: dict) -> list[dict]:
    found = []

    def visit(node) -> None:
        if isinstance(node, dict):
            refs = [resolve(schema, part) for part in node.get("allOf", []) if "$ref" in part]
            found.extend(node for ref in refs if "discriminator" in ref)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return found


def test_the_chat_data_has_one_schema_per_kind(schema):
    data = component(schema, "ChatOutput")["properties"]["data"]
    # A `oneOf`, not drf-spectacular's `allOf`: openapi-typescript reads an `allOf` of a
    # discriminated union as a subtype without its discriminator (`Omit<ChatData, "kind">`).
    assert (data["oneOf"], data["nullable"]) == ([{"$ref": "#/components/schemas/ChatData"}], True)
    assert discriminated_all_ofs(schema) == []
    chat_data = component(schema, "ChatData")
    assert chat_data["discriminator"]["propertyName"] == "kind"
    mapping = chat_data["discriminator"]["mapping"]
    # Every kind either provider answers (the local one names the same kinds).
    kinds = [
        "car",
        "cars",
        "compliance_rows",
        "cost_of_ownership",
        "documents",
        "fleet_summary",
        "fuel_consumption",
        "insurance_premiums",
        "maintenance_costs",
        "top_cars",
    ]
    assert sorted(mapping) == sorted(set(DATA_KINDS.values())) == kinds
    for kind, ref in mapping.items():
        variant = resolve(schema, {"$ref": ref})
        assert "kind" in variant["required"], kind
        assert enum_of(schema, variant["properties"]["kind"]) == [kind]
    fuel = component(schema, "ChatFuelConsumption")["properties"]
    assert resolve(schema, fuel["rows"]["items"])["properties"]["liters"]["format"] == "decimal"
    assert resolve(schema, fuel["chart"])["required"] == ["type", "x", "y"]


def test_export_params_are_typed_per_report(schema):
    operation = schema["paths"]["/api/v1/reports/exports/"]["post"]
    body = resolve(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    assert body["discriminator"]["propertyName"] == "report"
    mapping = body["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(REPORTS)
    for report, ref in mapping.items():
        variant = resolve(schema, {"$ref": ref})
        assert enum_of(schema, variant["properties"]["report"]) == [report]
        params = resolve(schema, variant["properties"]["params"])
        # The report's query parameters, but `export`: the job's `format` says which file.
        expected = set(REPORTS[report].params().fields) - {"export"}
        assert set(params["properties"]) == expected, report
    job_params = component(schema, "ExportJob")["properties"]["params"]
    variants = [resolve(schema, ref) for ref in job_params["anyOf"]]
    assert [variant["type"] for variant in variants] == ["object"] * len(REPORTS)


def test_decimals_state_their_bounds(schema):
    liters = component(schema, "FuelRecordRequest")["properties"]["liters"]
    assert liters == {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\d{0,8}(?:\.\d{0,2})?$",
        "minimum": 0,
    }
    # Every amount of money a record stores is never negative (`money_field`).
    for name, field in [
        ("FuelRecordRequest", "total_cost"),
        ("SpareRequest", "part_price"),
        ("SpareRequest", "work_price"),
        ("TiresRequest", "price"),
        ("AccumulatorRequest", "price"),
        ("InsuranceRequest", "cost"),
        ("PatchedInspectionRequest", "cost"),
    ]:
        amount = component(schema, name)["properties"][field]
        assert (amount["minimum"], amount["pattern"][:3]) == (0, r"^\d"), (name, field)
    # A computed total states no bound it does not check.
    total = component(schema, "Spare")["properties"]["total_price"]
    assert "minimum" not in total
