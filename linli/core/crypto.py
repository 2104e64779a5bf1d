"""Field encryption at rest (PEOPLE-2): AES-256-GCM under a key ring, plus keyed hashes.

Keys come from the environment:
- `LINLI_DATA_KEYS`: "kid:base64key,kid:base64key" — the first key encrypts, all decrypt,
  so a new key can be put in front and old rows re-encrypted with `manage.py people_rekey`.
- `LINLI_INDEX_KEY`: base64 key for the keyed hash (HMAC-SHA256) used for exact lookup.
With DEBUG or under tests a fixed development ring is used; production refuses to start
without keys (see settings).

A stored value is `v1:<kid>:<base64(nonce || ciphertext+tag)>`. The field name is bound in
as associated data, so a ciphertext copied into another column does not decrypt.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value could not be decrypted (unknown key id, tampered ciphertext)."""


@dataclass(frozen=True)
class KeyRing:
    primary: str
    keys: dict[str, bytes]
    index_key: bytes


def _parse_keys(text: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    primary = ""
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        kid, _, b64 = part.partition(":")
        if not kid or not b64 or ":" in kid:
            raise ImproperlyConfigured("LINLI_DATA_KEYS must look like 'kid:base64key,...'.")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ImproperlyConfigured(f"Data key {kid!r} must be 32 bytes (AES-256).")
        keys[kid] = key
        primary = primary or kid
    if not keys:
        raise ImproperlyConfigured("LINLI_DATA_KEYS holds no key.")
    return primary, keys


def _dev_key(label: str) -> bytes:
    return hashlib.sha256(f"linli-development-{label}".encode()).digest()


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    data = os.environ.get("LINLI_DATA_KEYS", "")
    index = os.environ.get("LINLI_INDEX_KEY", "")
    if data:
        primary, keys = _parse_keys(data)
    elif settings.DEBUG or getattr(settings, "TESTING", False):
        primary, keys = "dev1", {"dev1": _dev_key("data")}
    else:
        raise ImproperlyConfigured("LINLI_DATA_KEYS is not set (needed to encrypt personal data).")
    if index:
        index_key = base64.b64decode(index)
    elif settings.DEBUG or getattr(settings, "TESTING", False):
        index_key = _dev_key("index")
    else:
        raise ImproperlyConfigured("LINLI_INDEX_KEY is not set (needed for exact lookups).")
    return KeyRing(primary=primary, keys=keys, index_key=index_key)


def new_key() -> str:
    """A fresh base64 key, for operators creating or rotating keys."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def encrypt(plaintext: str, *, context: str) -> str:
    ring = key_ring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys[ring.primary]).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{ring.primary}:{base64.b64encode(nonce + sealed).decode()}"


def key_id(token: str) -> str:
    return token.split(":", 2)[1] if token.startswith(PREFIX + ":") else ""


def decrypt(token: str, *, context: str) -> str:
    try:
        prefix, kid, b64 = token.split(":", 2)
        key = key_ring().keys[kid]
        raw = base64.b64decode(b64)
        if prefix != PREFIX:
            raise ValueError(prefix)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # never echo the token: it is personal data, if encrypted
        raise DecryptionError(f"cannot decrypt a value of {context}") from exc


def blind_index(value: str, *, context: str) -> str:
    """Keyed hash for exact lookup without decrypting every row."""
    msg = f"{context}\x00{value}".encode()
    return hmac.new(key_ring().index_key, msg, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as AES-GCM ciphertext; '' stays '' (nothing to hide)."""

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def _context(self) -> str:
        return self.context or f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return ""
        return decrypt(value, context=self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(str(value), context=self._context())
