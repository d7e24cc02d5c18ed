"""The API's browsable description at /<lang>/api: every operation, its arguments and its
answers, read from the generated OpenAPI document and shown in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext

from kb.i18n import N_
from kb.web.localised import localised_blueprint

bp = localised_blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")
# What flask-smorest writes into the description itself, for the catalogue.
GENERATED_TEXTS = (
    N_("OK"),
    N_("Bad Request"),
    N_("Not Found"),
    N_("Not Modified"),
    N_("Default error response"),
    N_("Error code"),
    N_("Error name"),
    N_("Error message"),
    N_("Errors"),
)


def tr(text: str | None) -> str:
    """A text of the OpenAPI document in the page's language (they are in the catalogue)."""
    return gettext(text) if text else ""


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class Answer:
    code: str
    description: str
    schema: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    answers: list[Answer]

    @property
    def anchor(self) -> str:
        return self.method + self.path.replace("/", "-").replace("{", "").replace("}", "")


def _kind(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"{_kind(schema.get('items', {}))}[]"
    kind = schema.get("type", "object")
    if "enum" in schema:
        kind += " (" + ", ".join(map(str, schema["enum"])) + ")"
    return kind


def _schema_name(response: dict, spec: dict) -> str:
    if "$ref" in response:  # a shared response, such as DEFAULT_ERROR
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = response.get("content", {}).get("application/json", {})
    return _kind(content["schema"]) if "schema" in content else ""


def operations(spec: dict) -> list[Operation]:
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            parameters = [
                Parameter(
                    p["name"],
                    p["in"],
                    _kind(p.get("schema", {})),
                    bool(p.get("required")),
                    tr(p.get("description")),
                )
                for p in [*shared, *op.get("parameters", [])]
            ]
            answers = [
                Answer(code, tr(response.get("description")), _schema_name(response, spec))
                for code, response in sorted(op.get("responses", {}).items())
            ]
            found.append(
                Operation(
                    method.upper(),
                    path,
                    tr(op.get("summary")),
                    tr(op.get("description")),
                    parameters,
                    answers,
                )
            )
    return found


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    description: str


def schemas(spec: dict) -> dict[str, list[Field]]:
    return {
        name: [
            Field(
                field,
                _kind(definition),
                field in schema.get("required", ()),
                tr(definition.get("description")),
            )
            for field, definition in schema.get("properties", {}).items()
        ]
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    }


@bp.get("/api")
def page():
    spec = current_app.extensions["kb_api"].spec.to_dict()
    return render_template(
        "api/docs.html", spec=spec, operations=operations(spec), schemas=schemas(spec)
    )
