import pytest, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from linli.people.services.records import resident_read, residents_list
from linli.people.tests.test_audit_report import town  # noqa

def test_prof(world, town):
    gw = world["grid_worker"]; ids=[r.pk for r in town["a1"]]
    with CaptureQueriesContext(connection) as q:
        resident_read(actor=gw, resident_id=ids[0])
    for x in q.captured_queries: print(x["sql"][:150])
    t=time.perf_counter()
    for i in range(300): resident_read(actor=gw, resident_id=ids[i%45])
    print("per read ms", (time.perf_counter()-t)/300*1000)
    t=time.perf_counter()
    for i in range(100): residents_list(actor=gw, page=1, page_size=20)
    print("per list ms", (time.perf_counter()-t)/100*1000)
