"""PLAT-2: sign in with a phone number and an SMS code, beside the password."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.accounts.models import LoginCode

SENT: list = []


class Captured:
    """An SMS gateway that keeps what it was given (the code is only ever in the SMS)."""

    def send(self, message) -> None:
        SENT.append(message)


@pytest.fixture
def sms(settings, world):
    settings.LINLI_SMS_SENDER = "linli.accounts.tests.test_sms_login.Captured"
    SENT.clear()
    world["resident"].phone = "13800000001"
    world["resident"].save()
    return world


def _send(client, capture, phone="13800000001"):
    with capture(execute=True):
        return client.post("/accounts/login/sms/", {"phone": phone, "send": "1"})


def _code():
    return re.search(r"(\d{6})", SENT[-1].title).group(1)


def test_phone_and_code_sign_the_resident_in(sms, client, django_capture_on_commit_callbacks):
    page = _send(client, django_capture_on_commit_callbacks)
    assert page.status_code == 200 and "验证码已发到手机" in page.content.decode()
    assert SENT[-1].address == "13800000001"
    row = LoginCode.objects.get()
    assert _code() not in row.code_hash  # only a keyed hash is stored
    done = client.post("/accounts/login/sms/", {"phone": "13800000001", "code": _code()})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").context["user"] == sms["resident"]
    again = client.post("/accounts/login/sms/", {"phone": "13800000001", "code": _code()})
    assert again.status_code == 400  # a used code is spent


def test_wrong_code_counts_and_five_tries_spend_it(sms, client, django_capture_on_commit_callbacks):
    _send(client, django_capture_on_commit_callbacks)
    good = _code()
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        r = client.post("/accounts/login/sms/", {"phone": "13800000001", "code": wrong})
        assert r.status_code == 400 and "验证码不正确" in r.content.decode()
    assert LoginCode.objects.get().attempts == 5
    late = client.post("/accounts/login/sms/", {"phone": "13800000001", "code": good})
    assert late.status_code == 400  # the right code after 5 wrong ones is refused too


def test_unknown_number_gets_the_same_answer_and_no_sms(
    sms, client, django_capture_on_commit_callbacks
):
    page = _send(client, django_capture_on_commit_callbacks, phone="13999999999")
    assert page.status_code == 200 and "验证码已发到手机" in page.content.decode()
    assert SENT == [] and not LoginCode.objects.exists()


def test_one_code_a_minute_and_codes_expire(sms, client, django_capture_on_commit_callbacks):
    _send(client, django_capture_on_commit_callbacks)
    second = _send(client, django_capture_on_commit_callbacks)
    assert second.status_code == 400 and len(SENT) == 1
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.post("/accounts/login/sms/", {"phone": "13800000001", "code": _code()})
    assert r.status_code == 400


def test_a_bad_number_is_refused(sms, client):
    r = client.post("/accounts/login/sms/", {"phone": "12", "send": "1"})
    assert r.status_code == 400 and "11 位手机号" in r.content.decode()


def test_login_page_offers_the_sms_way(client):
    assert "/accounts/login/sms/" in client.get("/accounts/login/").content.decode()
