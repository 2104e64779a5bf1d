"""Check an API response against the operation's schema in the published OpenAPI document."""

from typing import Any

import jsonschema


def resolve(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return resolve(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {k: resolve(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, components) for v in node]
    return node


def check(schema: dict[str, Any], response: Any, path: str, method: str, status: int) -> Any:
    """The response has `status` and its body matches the operation's declared schema."""
    assert response.status_code == status, response.content
    op = schema["paths"][path][method]
    body = op["responses"][str(status)]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), resolve(body, schema["components"]["schemas"]))
    return response.json()
