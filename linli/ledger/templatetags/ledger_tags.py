"""Template helpers for the ledger pages: amounts in the page's language, request keys."""

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from linli.ledger.choices import Book, format_amount

register = template.Library()


@register.simple_tag
def idempotency_input() -> SafeString:
    """A fresh request key per rendered form: submitting the same form twice posts once."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)


@register.filter
def amount(value: int, book: str) -> str:
    """An amount of `book` ("1小时30分钟" / "1 h 30 min")."""
    return format_amount(book, int(value or 0))


@register.filter
def yuan(value: int) -> str:
    return format_amount(Book.MONEY, int(value or 0))


@register.filter
def sub(value: int, other: int) -> int:
    """What is left after spending (the confirmation before a redemption)."""
    return int(value or 0) - int(other or 0)
