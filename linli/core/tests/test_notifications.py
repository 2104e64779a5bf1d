import logging

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from linli.core.notifications.models import Delivery, DeliveryStatus, Notification
from linli.core.notifications.services import notification_send


@pytest.fixture
def resident(world):
    user = world["resident"]
    user.phone = "13812341234"
    user.email = "wang@example.org"
    user.save()
    return user


# The worker commits and checks connections like the real process, so these tests run
# outside a wrapping test transaction.
@pytest.mark.django_db(transaction=True)
def test_inbox_message_and_sms_sent_after_commit_by_the_worker(resident, caplog):
    with transaction.atomic():
        note = notification_send(
            recipient=resident, title="您的诉求已受理", body="编号 X1", channels=["sms", "email"]
        )
        # Nothing is queued before the transaction commits.
        assert DBTaskResult.objects.count() == 0
    assert DBTaskResult.objects.count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}

    with caplog.at_level(logging.INFO, logger="linli.senders"):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # The log names the message, not the person's number, address or the content.
    text = caplog.text
    assert f"notification {note.pk}" in text
    assert "13812341234" not in text and "wang@example.org" not in text
    assert "138****1234" in text
    assert "编号 X1" not in text


def test_channel_without_address_is_skipped(world, django_capture_on_commit_callbacks):
    user = world["grid_worker"]  # no phone, no e-mail
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=user, title="t", channels=["sms", "email"])
    assert Notification.objects.filter(recipient=user).count() == 1
    assert Delivery.objects.count() == 0


class FailingSender:
    def send(self, message):
        raise ConnectionError("gateway down 13812341234")


@pytest.mark.django_db(transaction=True)
def test_sender_failure_is_recorded_without_details(resident, settings):
    settings.LINLI_SMS_SENDER = "linli.core.tests.test_notifications.FailingSender"
    notification_send(recipient=resident, title="t", channels=["sms"])
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "ConnectionError"
    assert delivery.attempts == 1


def test_inbox_page_and_mark_read(world, login):
    note = notification_send(recipient=world["resident"], title="办理完成,请评价")
    other = notification_send(recipient=world["grid_worker"], title="别人的消息")
    client = login("resident")
    page = client.get("/core/inbox/")
    assert "办理完成,请评价" in page.content.decode()
    assert "别人的消息" not in page.content.decode()
    client.post(f"/core/inbox/{note.pk}/read/")
    client.post(f"/core/inbox/{other.pk}/read/")  # someone else's: silently untouched
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None
