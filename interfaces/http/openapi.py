"""What the OpenAPI document says of refusals and tokens, declared route by route.

Litestar documents a 400 of its own shape and media type by itself; every refusal here is an RFC
9457 problem (`problems.py`), so each route declares the problems it may answer with `problems()`,
and a route open to everyone says so with `security=PUBLIC` (the app requires a token by default).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema, SecurityRequirement
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

PROBLEM_JSON = "application/problem+json"
# A route anyone may call, anonymously or with a token (which must then be valid: 401 otherwise);
# "bearer" is the security scheme the app's OpenAPI configuration declares.
PUBLIC: list[SecurityRequirement] = [{}, {"bearer": []}]
# On every route: a malformed request (400) and a token that is not valid (401).
ALWAYS = (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED)


class Problem(msgspec.Struct, frozen=True):
    """An RFC 9457 problem document: `status` and `title` always, the specific `detail` mostly,
    and the members of some problems (`error`: the refused rule's name; `errors`: per field)."""

    status: int
    title: str
    type: str = "about:blank"
    detail: str | None = None
    error: str | None = None
    errors: list[dict[str, object]] | None = None


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The `responses` of a route: the problems it may answer (besides 400 and 401 everywhere)."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted({*ALWAYS, *statuses})
    }


class StrictStructs(OpenAPISchemaPlugin):
    """Request bodies refuse unknown members (`forbid_unknown_fields`) and apply the bounds of
    list items and map keys; Litestar's schema of a Struct says neither, so clients (and fuzzers)
    would take for allowed what is refused (400). This completes Litestar's own schema of such
    Structs: `additionalProperties: false`, and those bounds as msgspec states them."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        """Structs (not unions of them) that forbid unknown fields."""
        return (
            not field_definition.is_union
            and field_definition.is_subclass_of(msgspec.Struct)
            and field_definition.type_.__struct_config__.forbid_unknown_fields
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """Litestar's schema for the Struct, closed to other members, with the inner bounds."""
        schema = StructSchemaPlugin().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        struct = field_definition.type_
        _, definitions = msgspec.json.schema_components([struct])
        own = definitions[struct.__name__].get("properties", {})
        for name, prop in (schema.properties or {}).items():
            if isinstance(prop, Schema):
                _add_inner_bounds(prop, own.get(name, {}))
        return schema


def _add_inner_bounds(prop: Schema, stated: dict[str, Any]) -> None:
    """Copy the bounds of a list's items and of a map's keys and size from msgspec's schema."""
    items = stated.get("items")
    if isinstance(items, dict) and isinstance(prop.items, Schema):
        prop.items.min_length = prop.items.min_length or items.get("minLength")
        prop.items.max_length = prop.items.max_length or items.get("maxLength")
    prop.max_properties = prop.max_properties or stated.get("maxProperties")
    names = stated.get("propertyNames")
    if isinstance(names, dict) and prop.property_names is None:
        prop.property_names = Schema(
            type=OpenAPIType.STRING,
            min_length=names.get("minLength"),
            max_length=names.get("maxLength"),
        )
