from django_tasks import task

from linli.core.notifications.services import delivery_perform


@task()
def deliver_notification(*, delivery_id: int) -> str:
    return str(delivery_perform(delivery_id=delivery_id).status)
