"""Checks for pages rendered in English (each app's tests/test_pages_english.py)."""

import re
from collections.abc import Iterable
from typing import Any

from django.test import Client

# The language switch names the other language in that language, on purpose.
SWITCH = (
    '<button type="submit" name="language" value="zh-hans" class="link" lang="zh-hans">'
    "中文</button>"
)
HAN = re.compile(r"\S*[\u3400-\u9fff\uf900-\ufaff]+\S*")


def as_user(user: Any, lang: str | None = "en") -> Client:
    """A client signed in as `user` (anonymous for None) with the language cookie set."""
    client = Client()
    if user is not None:
        client.force_login(user)
    if lang:
        client.cookies["django_language"] = lang
    return client


def text(response: Any) -> str:
    assert response.status_code in (200, 400), response.status_code
    return str(response.content.decode())


def leftover_chinese(html: str, data: Iterable[str] = ()) -> list[str]:
    """Han characters left once the data (names, what people wrote …) and the language
    switch are taken out; the longest data first, so a name inside another goes with it."""
    html = html.replace(SWITCH, "")
    for item in sorted(set(data), key=len, reverse=True):
        html = html.replace(item, "")
    return sorted({m.group(0) for m in HAN.finditer(html)})


def english(html: str, data: Iterable[str] = ()) -> str:
    assert '<html lang="en">' in html
    left = leftover_chinese(html, data)
    assert not left, left
    return html
