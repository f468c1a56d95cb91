"""The API's documentation page: the OpenAPI schema, read and laid out as a plain page.

Server-rendered from the very schema served at /api/schema/ (drf-spectacular), so the page and
the schema never disagree; no Swagger UI or Redoc, whose scripts would be the site's only
single-page app and whose pages axe does not pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings

from accounts.api.pagination import MAX_PAGE_SIZE
from townsite.api.schema import BUILDING

METHODS = ("get", "post", "put", "patch", "delete")
_SCHEMAS: dict[str, dict[str, Any]] = {}


@dataclass
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    read_only: bool = False
    where: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    result: list[Field] = field(default_factory=list)
    result_is_list: bool = False
    responses: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Section:
    tag: str
    operations: list[Operation] = field(default_factory=list)


def api_schema() -> dict[str, Any]:
    """The schema in the active language, built once per process and language (it only
    changes with the code)."""
    language = get_language() or "fr"
    if language not in _SCHEMAS:
        with BUILDING:
            schema = SchemaGenerator().get_schema(request=None, public=True)
        _SCHEMAS[language] = _resolved(schema)
    return _SCHEMAS[language]


def _resolved(value: Any) -> Any:
    """Lazy translations turned into text, in the active language."""
    if isinstance(value, dict):
        return {str(key): _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _component(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    found: dict[str, Any] = schema["components"]["schemas"].get(name, {})
    return found


def _type_of(schema: dict[str, Any], spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        target = _component(schema, spec["$ref"])
        if "enum" in target:
            return " | ".join(str(v) for v in target["enum"] if v is not None)
        return "object"
    if "allOf" in spec or "oneOf" in spec:
        options = spec.get("allOf") or spec.get("oneOf") or []
        return " | ".join(_type_of(schema, option) for option in options)
    kind = str(spec.get("type", "object"))
    if kind == "array":
        return f"array of {_type_of(schema, spec.get('items', {}))}"
    if "enum" in spec:
        return " | ".join(str(v) for v in spec["enum"] if v is not None)
    fmt = spec.get("format")
    return f"{kind} ({fmt})" if fmt else kind


def _fields(schema: dict[str, Any], spec: dict[str, Any]) -> tuple[list[Field], bool]:
    """The fields of a body or result, and whether it is a (paginated) list of them."""
    is_list = False
    if "$ref" in spec:
        spec = _component(schema, spec["$ref"])
    if spec.get("type") == "array":
        is_list, spec = True, spec.get("items", {})
    props = spec.get("properties", {})
    if "results" in props and props["results"].get("type") == "array":
        is_list, spec = True, props["results"].get("items", {})
    if "$ref" in spec:
        spec = _component(schema, spec["$ref"])
    required = set(spec.get("required", []))
    return [
        Field(
            name=name,
            type=_type_of(schema, prop) + (" | null" if prop.get("nullable") else ""),
            description=prop.get("description", ""),
            required=name in required,
            read_only=bool(prop.get("readOnly")),
        )
        for name, prop in spec.get("properties", {}).items()
    ], is_list


def _content_schema(part: dict[str, Any]) -> dict[str, Any] | None:
    content = part.get("content", {})
    for media in ("application/json", *content):
        if media in content:
            found: dict[str, Any] | None = content[media].get("schema")
            return found
    return None


def sections(schema: dict[str, Any]) -> list[Section]:
    grouped: dict[str, Section] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            tag = (spec.get("tags") or ["api"])[0]
            operation = Operation(
                method=method.upper(),
                path=path,
                summary=spec.get("summary", ""),
                description=spec.get("description", ""),
                anchor=spec.get("operationId", f"{method}-{path}"),
                parameters=[
                    Field(
                        name=param["name"],
                        type=_type_of(schema, param.get("schema", {})),
                        description=param.get("description", ""),
                        required=bool(param.get("required")),
                        where=param.get("in", ""),
                    )
                    for param in spec.get("parameters", [])
                ],
                responses=[
                    (code, response.get("description", ""))
                    for code, response in spec.get("responses", {}).items()
                ],
            )
            body = _content_schema(spec.get("requestBody", {}))
            if body:
                operation.body, _is_list = _fields(schema, body)
            for code, response in spec.get("responses", {}).items():
                result = _content_schema(response)
                if code.startswith("2") and result:
                    operation.result, operation.result_is_list = _fields(schema, result)
                    break
            grouped.setdefault(tag, Section(tag=tag)).operations.append(operation)
    return list(grouped.values())


@require_GET
def documentation(request: HttpRequest) -> HttpResponse:
    schema = api_schema()
    return render(
        request,
        "townsite/api/documentation.html",
        {
            "info": schema.get("info", {}),
            "sections": sections(schema),
            "max_page_size": MAX_PAGE_SIZE,
            "prefix": spectacular_settings.SCHEMA_PATH_PREFIX,
        },
    )
