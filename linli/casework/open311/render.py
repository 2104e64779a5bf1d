"""GeoReport v2 documents as XML or JSON from one Python structure.

A document is dicts (elements in order), lists (repeated elements named by LIST_ITEMS, the
way the spec pairs services/service, service_requests/request …), and scalars. JSON follows
the spec's Spark convention: a list is a JSON array, an empty element is null. XML is built
with ElementTree, so user text is always escaped.
"""

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpRequest, HttpResponse

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {
    XML: "text/xml; charset=utf-8",
    JSON: "application/json; charset=utf-8",
}
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        item = LIST_ITEMS[name]
        for v in value:
            _fill(ET.SubElement(element, item), item, v)
    elif isinstance(value, dict):
        for key, v in value.items():
            _fill(ET.SubElement(element, key), key, v)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, data)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`root` names the XML root element; JSON has no root (the spec's arrays are bare)."""
    body = to_json(data) if fmt == JSON else to_xml(root, data)
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """`<errors><error><code/><description/></error></errors>` or `[{"code", "description"}]`.
    An unknown format gets XML, the format every GeoReport client reads."""
    fmt = fmt if fmt in FORMATS else XML
    return respond(fmt, "errors", [{"code": status, "description": description}], status)


def guard_error(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse | None:
    """The core input guard's refusals on GeoReport URLs, in GeoReport's error format."""
    path = request.path_info
    if not path.startswith("/open311/"):
        return None
    fmt = JSON if path.endswith(".json") else XML
    return error(fmt, status, str(body["message"]))
