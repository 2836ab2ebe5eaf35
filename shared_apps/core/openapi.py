"""OpenAPI pieces that make the schema describe every answer the API gives: the error responses
that only some endpoints can give (the common ones are added to every endpoint by
drf-standardized-errors), the codes of errors raised outside serializer fields, postprocessing
hooks that name nested error attrs the way the API answers them and keep discriminated unions
whole for client generators, and the `AutoSchema` that writes what API users read (summaries,
descriptions, the types of path ids and the bounds of decimals)."""

import copy
import inspect
import re
from collections import defaultdict

from django.db import models
from django.utils import translation
from drf_spectacular.drainage import has_override
from drf_spectacular.plumbing import force_instance, get_view_model
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from drf_standardized_errors.openapi_utils import (
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from drf_standardized_errors.settings import package_settings
from rest_framework import serializers
from rest_framework.settings import api_settings

from .validators import NUL_CODE

_ERRORS = {
    401: (ClientErrorEnum, "The credentials or the token were refused."),
    403: (ClientErrorEnum, "The request is not allowed."),
    409: (ClientErrorEnum, "The request conflicts with the resource's current state."),
    410: (ClientErrorEnum, "The resource existed but is gone for good."),
    413: (ClientErrorEnum, "The request body is too large."),
    503: (ServerErrorEnum, "A service the request needs is down; try again later."),
}


def error_response(status_code: int, codes: list[str]) -> OpenApiResponse:
    """The documented envelope of one error status, with the `code`s it can carry."""
    error_type, description = _ERRORS[status_code]
    suffix = "".join(code.title().replace("_", "") for code in codes)  # one component per set
    errors = inline_serializer(
        name=f"Error{status_code}{suffix}",
        fields={
            "code": serializers.ChoiceField(choices=codes),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
        many=True,
    )
    envelope = inline_serializer(
        name=f"ErrorResponse{status_code}{suffix}",
        fields={"type": serializers.ChoiceField(choices=error_type.choices), "errors": errors},
    )
    return OpenApiResponse(envelope, description=description)


# --- 401 of the endpoints that take a Bearer token (DRF_STANDARDIZED_ERRORS["ERROR_SCHEMAS"]) ---


class ErrorCode401Enum(models.TextChoices):
    """What `CompanyJWTAuthentication` answers (the codes of `shared_apps.accounts.tokens`); the
    package's own list has DRF's generic `authentication_failed`, which no authenticator here
    raises."""

    NOT_AUTHENTICATED = "not_authenticated"  # no `Authorization: Bearer ...` header
    BAD_AUTHORIZATION_HEADER = "bad_authorization_header"  # `Bearer` without one token
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - refresh it
    # Log in again: the user changed password, was deactivated or left the company.
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
    TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105 - malformed, forged, another company's


# --- 413 of the endpoints that read a request body (DRF_STANDARDIZED_ERRORS["ERROR_SCHEMAS"]) ---


class ErrorCode413Enum(models.TextChoices):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (or a multipart one over
    MAX_UPLOAD_REQUEST_BYTES) is refused whatever the endpoint (see `exceptions.RequestTooLarge`);
    `postprocess_error_responses` keeps the 413 only on the operations that take a body."""

    REQUEST_TOO_LARGE = "request_too_large"


def _error_response_serializer(status_code: int, codes: type[models.TextChoices]):
    """`{type, errors: [{code, detail, attr}]}` for one status, named as drf-standardized-errors
    names its own components (`ErrorResponse401`, `Error401`)."""

    def serializer(name: str, fields: dict) -> type[serializers.Serializer]:
        return type(name, (serializers.Serializer,), {**fields, "__module__": __name__})

    error = serializer(
        f"Error{status_code}Serializer",
        {
            "code": serializers.ChoiceField(choices=codes.choices),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    return serializer(
        f"ErrorResponse{status_code}Serializer",
        {
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": error(many=True),
        },
    )


ErrorResponse401Serializer = _error_response_serializer(401, ErrorCode401Enum)
ErrorResponse413Serializer = _error_response_serializer(413, ErrorCode413Enum)


# --- Validation errors that drf-standardized-errors cannot see ----------------------------------


def search_validation_errors(**scope):
    """View decorator: DRF's SearchFilter answers a `search` holding a NUL character with a 400
    that names no field (`attr` null)."""
    return extend_validation_errors([NUL_CODE], field_name=None, **scope)


def params_error_codes(*params_serializers, prefix: str | None = None) -> dict[str, set[str]]:
    """The error codes of each parameter validated by `params_serializers` (query parameters, or
    a dict of them under `prefix`), derived as drf-standardized-errors derives them for a request
    body, plus the serializer's `validate_error_codes` (raised by its `validate()`). The values
    are strings, and empty ones count as not given: `null` and `blank` never happen."""
    codes: dict[str, set[str]] = defaultdict(set)
    for serializer_class in params_serializers:
        fields = get_flat_serializer_fields(serializer_class())
        for field in get_serializer_fields_with_error_codes(fields):
            if field.name != api_settings.NON_FIELD_ERRORS_KEY:
                codes[field.name] |= field.error_codes - {"null", "blank"}
        for name, extra in getattr(serializer_class, "validate_error_codes", {}).items():
            codes[name] |= set(extra)
    if prefix:
        return {f"{prefix}.{name}": found for name, found in codes.items()}
    return dict(codes)


def extend_params_validation_errors(codes_by_field: dict[str, set[str]], **scope):
    """View decorator: `extend_validation_errors` for each parameter of `params_error_codes`."""

    def decorate(view):
        for name, codes in codes_by_field.items():
            view = extend_validation_errors(sorted(codes), field_name=name, **scope)(view)
        return view

    return decorate


# --- Postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) --------------------------

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
_PLACEHOLDERS = {
    package_settings.LIST_INDEX_IN_API_SCHEMA: (r"\d+", "a position in the list, from 0"),
    package_settings.DICT_KEY_IN_API_SCHEMA: (r".+", "a key of the object"),
}


def postprocess_error_responses(result, generator, request, public):
    """drf-standardized-errors documents nested errors with placeholders (`actions.INDEX.id`)
    and files the `required`/`null` errors of a nested serializer or list under its
    `non_field_errors`. The API answers `actions.0.id`, and `required`/`null` on the nested
    field itself (`actions`, `actions.0`); a list item or a dict value is never `required`.
    Each operation's error components are rewritten to say so: attrs with a placeholder become
    a `pattern`, and their union loses its discriminator, whose mapping cannot name them.

    drf-standardized-errors adds the 413 to every operation; one without a request body never
    reads one, so never answers it. A request Django refuses before it is parsed (more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS parameters, e.g. a thousand `car`s) is a 400 `bad_request`
    beside `parse_error`."""
    schemas = result.get("components", {}).get("schemas", {})
    if "ParseErrorCodeEnum" in schemas:
        _set_enum(schemas["ParseErrorCodeEnum"], ["parse_error", "bad_request"])
    for union in list(schemas.values()):
        if (union.get("discriminator") or {}).get("propertyName") == "attr":
            _fix_error_union(union, schemas)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" not in operation:
                operation.get("responses", {}).pop("413", None)
    return result


def _set_enum(component: dict, codes: list[str]) -> None:
    component["enum"] = codes
    component["description"] = "\n".join(f"* `{code}` - {code}" for code in codes)


def _segments(attr) -> list[str]:
    return attr.split(package_settings.NESTED_FIELD_SEPARATOR) if attr else []


def _set_codes(component: dict, codes: set[str]) -> None:
    component["properties"]["code"] = {
        "enum": sorted(codes),
        "type": "string",
        "description": "\n".join(f"* `{code}` - {code}" for code in sorted(codes)),
    }


def _fix_error_union(union: dict, schemas: dict) -> None:
    members: dict = {}  # attr -> component name, in the union's order
    for item in union["oneOf"]:
        name = item["$ref"].rsplit("/", 1)[-1]
        members[schemas[name]["properties"]["attr"]["enum"][0]] = name
    codes = {
        attr: set(schemas[name]["properties"]["code"]["enum"]) for attr, name in members.items()
    }

    separator = package_settings.NESTED_FIELD_SEPARATOR
    for attr, name in list(members.items()):
        *parent, last = _segments(attr) or [""]
        if last in _PLACEHOLDERS:
            codes[attr].discard("required")
        if last != NON_FIELD or not parent:
            continue
        moved = codes[attr] & {"required", "null"}
        codes[attr] -= moved
        if parent[-1] in _PLACEHOLDERS:
            moved.discard("required")
        parent_attr = separator.join(parent)
        if moved and parent_attr not in members:
            component = copy.deepcopy(schemas[name])
            component["properties"]["attr"]["enum"] = [parent_attr]
            component["properties"]["attr"]["description"] = f"* `{parent_attr}` - {parent_attr}"
            members[parent_attr] = re.sub(r"NonFieldErrors(ErrorComponent)$", r"\1", name)
            schemas[members[parent_attr]] = component
            codes[parent_attr] = set()
        if moved:
            codes[parent_attr] |= moved

    kept = {attr: name for attr, name in members.items() if codes[attr]}
    for attr, name in members.items():
        if attr not in kept:
            del schemas[name]
            continue
        _set_codes(schemas[name], codes[attr])
        segments = _segments(attr)
        if any(segment in _PLACEHOLDERS for segment in segments):
            pattern = re.escape(separator).join(
                _PLACEHOLDERS[s][0] if s in _PLACEHOLDERS else re.escape(s) for s in segments
            )
            notes = "; ".join(
                f"{p} is {_PLACEHOLDERS[p][1]}" for p in _PLACEHOLDERS if p in segments
            )
            schemas[name]["properties"]["attr"] = {
                "type": "string",
                "pattern": f"^{pattern}$",
                "description": f"`{attr}`: {notes}.",
            }
    union["oneOf"] = [{"$ref": f"#/components/schemas/{name}"} for name in kept.values()]
    if any(any(s in _PLACEHOLDERS for s in _segments(attr)) for attr in kept):
        del union["discriminator"]
    else:
        union["discriminator"]["mapping"] = {
            attr: f"#/components/schemas/{name}" for attr, name in kept.items() if attr is not None
        }


def postprocess_discriminated_refs(result, generator, request, public):
    """drf-spectacular writes a nullable (or described) reference as an `allOf` of it, and
    openapi-typescript reads an `allOf` of a union with a discriminator as a subtype that drops
    the discriminator (`Omit<ChatData, "kind">`), so a client could not tell the kinds apart.
    A `oneOf` of the one reference says the same and keeps the union whole."""
    schemas = result.get("components", {}).get("schemas", {})

    def discriminated(node) -> bool:
        name = node.get("$ref", "").rsplit("/", 1)[-1]
        return "discriminator" in schemas.get(name, {})

    def visit(node) -> None:
        if isinstance(node, dict):
            if len(node.get("allOf", ())) == 1 and discriminated(node["allOf"][0]):
                node["oneOf"] = node.pop("allOf")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result)
    return result


# --- What API users read (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) ---------------------------------

# The summary of a viewset's standard actions, from its model's name (`{a}`: with an article).
CRUD_SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {a}",
    "retrieve": "Get {a}",
    "update": "Replace {a}",
    "partial_update": "Update {a}",
    "destroy": "Delete {a}",
}
DIGITS_PATTERN = r"^\d+$"  # a path variable of `lookup_value_regex = r"\d+"`


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' schema (every error response) and what API users read:

    - a `summary` for every operation: a viewset's standard actions are named after its model
      (`List cars`, `Get a car`); any other operation writes its own (`extend_schema(summary=)`);
    - a `description` only where `extend_schema(description=)` writes one: a view's docstring
      describes the code for its developers and is not published;
    - a serializer's description is its own docstring (or `extend_schema_serializer`'s), never
      one inherited from a base class or a mixin, which describe how the code works;
    - a path variable matched by `\\d+` is an integer, as every id in the bodies is;
    - a decimal string states its `min_value`/`max_value` as `minimum`/`maximum`, and its
      pattern has no minus sign where negatives are refused."""

    def get_summary(self) -> str | None:
        template = CRUD_SUMMARIES.get(getattr(self.view, "action", None))
        model = get_view_model(self.view, emit_warnings=False)
        if template is None or model is None:
            return None
        with translation.override("en"):
            singular = str(model._meta.verbose_name)
            plural = str(model._meta.verbose_name_plural)
        if singular != plural:  # "Get tires": a set takes no article
            singular = f"{'an' if singular[0] in 'aeio' else 'a'} {singular}"
        return template.format(a=singular, plural=plural)

    def get_description(self) -> str:
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        serializer = force_instance(serializer)
        if has_override(serializer, "description"):
            return schema
        own = type(serializer).__dict__.get("__doc__")
        if own:
            schema["description"] = inspect.cleandoc(own)
        else:
            schema.pop("description", None)
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"] == {"type": "string", "pattern": DIGITS_PATTERN}:
                parameter["schema"] = {"type": "integer"}
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            _decimal_bounds(field, schema)
        return schema


def _decimal_bounds(field: serializers.DecimalField, schema: dict) -> None:
    """drf-spectacular writes the bounds of a decimal only when it is a JSON number; here
    decimals are strings (`COERCE_DECIMAL_TO_STRING`)."""
    for key, limit in (("minimum", field.min_value), ("maximum", field.max_value)):
        if limit is not None:
            schema[key] = int(limit) if limit == int(limit) else float(limit)
    if field.min_value is not None and field.min_value >= 0 and "pattern" in schema:
        schema["pattern"] = schema["pattern"].replace("^-?", "^", 1)
