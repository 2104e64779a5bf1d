"""PEOPLE-2: field encryption (AES-256-GCM under a key ring) and the keyed hash."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from linli.core.crypto import (
    DecryptionError,
    blind_index,
    decrypt,
    encrypt,
    key_id,
    key_ring,
    new_key,
)

KEY_A, KEY_B, INDEX_A, INDEX_B = new_key(), new_key(), new_key(), new_key()


@pytest.fixture
def ring(monkeypatch):
    """Set LINLI_DATA_KEYS / LINLI_INDEX_KEY for one test; the cached ring follows."""

    def use(data: str | None = None, index: str | None = None) -> None:
        for name, value in (("LINLI_DATA_KEYS", data), ("LINLI_INDEX_KEY", index)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        key_ring.cache_clear()

    use(f"a:{KEY_A}", INDEX_A)
    yield use
    key_ring.cache_clear()


def test_round_trip(ring):
    for text in ("330106194205170130", "高血压、糖尿病", "x" * 500, "☎ 13812345678"):
        token = encrypt(text, context="people.resident.phone")
        assert token.startswith("v1:a:") and text not in token
        assert decrypt(token, context="people.resident.phone") == text


def test_two_encryptions_of_one_value_differ(ring):
    one, two = (encrypt("13812345678", context="c") for _ in range(2))
    assert one != two  # a fresh nonce each time: equal values are not visible as equal
    assert decrypt(one, context="c") == decrypt(two, context="c") == "13812345678"


def test_tampering_is_detected(ring):
    token = encrypt("糖尿病", context="c")
    prefix, raw = token.rsplit(":", 1)
    data = bytearray(base64.b64decode(raw))
    data[-1] ^= 1  # flip one bit of the tag
    with pytest.raises(DecryptionError) as exc:
        decrypt(f"{prefix}:{base64.b64encode(bytes(data)).decode()}", context="c")
    assert "糖尿病" not in str(exc.value) and raw not in str(exc.value)
    with pytest.raises(DecryptionError):
        decrypt(token[:-4], context="c")
    with pytest.raises(DecryptionError):
        decrypt("plain text", context="c")
    with pytest.raises(DecryptionError):
        decrypt(token.replace("v1:", "v2:", 1), context="c")


def test_ciphertext_is_bound_to_its_field(ring):
    token = encrypt("13812345678", context="people.resident.phone")
    with pytest.raises(DecryptionError):
        decrypt(token, context="people.resident.health_conditions")


@pytest.mark.django_db
def test_a_value_copied_to_another_column_does_not_read(world):
    from linli.people.models import Resident

    r = Resident.objects.get(full_name="王秀英")
    r.phone = "13812345678"
    r.save()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_resident SET health_conditions = phone WHERE id = %s", [r.pk])
    with pytest.raises(DecryptionError):
        Resident.objects.get(pk=r.pk)
    assert Resident.objects.only("phone").get(pk=r.pk).phone == "13812345678"


def test_unknown_key_id(ring):
    token = encrypt("x", context="c")
    ring(f"b:{KEY_B}", INDEX_A)
    with pytest.raises(DecryptionError):
        decrypt(token, context="c")
    assert key_id(token) == "a" and key_id("not a token") == ""


def test_first_key_encrypts_all_keys_decrypt(ring):
    old = encrypt("x", context="c")
    ring(f"b:{KEY_B},a:{KEY_A}", INDEX_A)
    new = encrypt("x", context="c")
    assert key_id(new) == "b" and key_id(old) == "a"
    assert decrypt(old, context="c") == decrypt(new, context="c") == "x"


def test_blind_index_is_stable_keyed_and_per_context(ring):
    digest = blind_index("11010519491231002X", context="id")
    assert digest == blind_index("11010519491231002X", context="id")
    assert len(digest) == 64 and "11010519491231002X" not in digest
    assert digest != blind_index("11010519491231002X", context="other")
    assert digest != blind_index("110105194912310021", context="id")
    ring(f"a:{KEY_A}", INDEX_B)
    assert blind_index("11010519491231002X", context="id") != digest


@pytest.mark.parametrize(
    "keys",
    [
        "a",  # no key
        f":{KEY_A}",  # no id
        "a:" + base64.b64encode(b"short").decode(),  # not 32 bytes
        " , ",  # nothing at all
    ],
)
def test_malformed_key_ring_is_refused(ring, keys):
    ring(keys, INDEX_A)
    with pytest.raises(ImproperlyConfigured):
        key_ring()


def test_production_without_keys_refuses(ring, settings):
    settings.DEBUG = False
    settings.TESTING = False
    ring(None, INDEX_A)
    with pytest.raises(ImproperlyConfigured, match="LINLI_DATA_KEYS"):
        encrypt("x", context="c")
    ring(f"a:{KEY_A}", None)
    with pytest.raises(ImproperlyConfigured, match="LINLI_INDEX_KEY"):
        blind_index("x", context="c")
    # With DEBUG (development) a fixed development ring is used instead.
    settings.DEBUG = True
    ring(None, None)
    assert key_ring().primary == "dev1"
