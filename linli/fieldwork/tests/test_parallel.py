"""The same upload sent 10 times in parallel (a retrying phone, ODK's lesson) stores one
record and one set of photos (PostgreSQL: real parallel sessions; SQLite serialises writers)."""

import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from linli.casework.models import Case, CasePhoto
from linli.fieldwork.models import PatrolReport, Visit
from linli.fieldwork.tests.helpers import field_world
from linli.fieldwork.tests.test_api import jpeg
from linli.testing.parallel import needs_postgres

PARALLEL = 10


def _burst(world, send):
    start = threading.Barrier(PARALLEL)

    def one(_i: int) -> int:
        client = Client()
        client.force_login(world["grid_worker"])
        try:
            start.wait()
            return send(client).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(PARALLEL) as pool:
        return sorted(pool.map(one, range(PARALLEL)))


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_report_uploads_store_one_case_and_one_set_of_photos(world):
    needs_postgres("the parallel upload test")
    field_world(world)
    key = str(uuid.uuid4())
    photo = jpeg((1200, 900))

    def send(client):
        files = [io.BytesIO(photo), io.BytesIO(photo)]
        for i, f in enumerate(files):
            f.name = f"p{i}.jpg"
        body = {
            "uuid": key,
            "category_code": "01-10",
            "description": "3幢东侧暴露垃圾",
            "lat": "30.2712",
            "lon": "120.1212",
            "photos": files,
        }
        return client.post("/api/fieldwork/reports", body)

    codes = _burst(world, send)
    assert codes == [200] * (PARALLEL - 1) + [201], codes
    assert PatrolReport.objects.filter(uuid=key).count() == 1
    assert Case.objects.filter(channel="proactive").count() == 1
    assert CasePhoto.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_visit_uploads_store_one_visit(world):
    needs_postgres("the parallel upload test")
    fw = field_world(world)
    key = str(uuid.uuid4())
    body = {"uuid": key, "resident_id": fw.semi.pk, "outcome": "needs_help"}

    codes = _burst(
        world, lambda c: c.post("/api/fieldwork/visits", body, content_type="application/json")
    )
    assert codes == [200] * (PARALLEL - 1) + [201], codes
    assert Visit.objects.filter(uuid=key).count() == 1
    assert Case.objects.count() == 1  # the one help case, not ten
