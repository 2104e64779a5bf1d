"""The casework pages in English: with the language cookie set to "en" the report form, the
window entry, my reports, a case (for the resident and for staff), the case desk, the public
list and the whistle board read in English, and no Chinese is left but the data (categories,
places, units, what people wrote); without the cookie the pages are the same Chinese as before.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from linli.casework.models import Case, CaseEvent, Category
from linli.geo.models import Building, Community, Department, Grid
from linli.testing import english as en
from linli.testing.english import as_user, text

from .conftest import INSIDE_A1


def until() -> str:
    """A deferral date the service accepts (within a year), fixed for the test's day."""
    return (timezone.localdate() + dt.timedelta(days=200)).isoformat()


HAN = re.compile(r"\S*[\u3400-\u9fff\uf900-\ufaff]+\S*")
# What people wrote in the scenes below.
WRITTEN = ("楼下垃圾堆了三天没人清理", "多部门联合", "等待配件", "已到场")


def data() -> list[str]:
    """The test world's data: category, community, grid and unit names, what people wrote, and
    the notes the services keep on the timeline (written once, in the language of that moment)."""
    names = [
        *Category.objects.values_list("name", flat=True),
        *Community.objects.values_list("name", flat=True),
        *Grid.objects.values_list("name", flat=True),
        *Building.objects.values_list("name", flat=True),
        *Department.objects.values_list("name", flat=True),
        *CaseEvent.objects.exclude(note="").values_list("note", flat=True),
        *WRITTEN,
    ]
    return sorted(set(names), key=len, reverse=True)


def english(html: str) -> str:
    return en.english(html, data())


@pytest.fixture
def scene(cats, login, submit):
    """A case just received, one dispatched to the city management unit with an extension
    asked for and departments called, and one closed, waiting for the resident's rating."""
    new = submit()["tracking_no"]
    sent = submit()["tracking_no"]
    officer = login("dept_officer")
    officer.post(f"/cases/{sent}/register/")
    officer.post(f"/cases/{sent}/dispatch/", {"unit_id": cats.chengguan.pk})
    officer.post(f"/cases/{sent}/defer/", {"until": until(), "reason": "等待配件"})
    login("community_worker").post(
        f"/cases/{sent}/whistle/", {"department": [cats.chengguan.pk], "reason": "多部门联合"}
    )
    done = submit()["tracking_no"]
    Case.objects.filter(tracking_no=done).update(status="closed")
    return {"new": new, "sent": sent, "done": done}


# English ------------------------------------------------------------------------------------


def test_report_form_in_english(cats):
    c = as_user(cats["resident"])
    html = english(text(c.get("/cases/new/")))
    assert "<h1>Report a problem</h1>" in html and "Three steps:" in html
    assert "1. What is the problem?" in html and "2. Where is it?" in html
    assert "3. Say it in a sentence" in html and "Rubbish left out" in html
    assert "Other / don&#x27;t know" in html and "Gas leak, burst water main" in html
    assert "Near my home (1幢)" in html and "Use my phone's location" in html
    assert "No place chosen yet" in html and "Photos (optional, up to 6)" in html
    assert ">Send</button>" in html and "Leave no name (anonymous)" in html
    assert "move the pin with the arrow keys" in html
    # The page's script speaks English too.
    assert "Place chosen" in html and "Me too" in html and "Nothing found" in html
    html = english(text(c.post("/cases/new/", {"category": ""})))
    assert "Please check the parts marked in red below." in html
    assert "Please choose what the problem is." in html and "Please give the place" in html


def test_window_entry_in_english(cats):
    c = as_user(cats["community_worker"])
    html = english(text(c.get("/cases/window/")))
    assert "<h1>Enter for a resident</h1>" in html and "Resident and source" in html
    assert "Resident&#x27;s name (may be left empty for an unsigned slip)" in html
    assert "Year of birth" in html and "Sex (for a new record)" in html
    assert "Service window (on behalf)" in html and "Find the resident's record" in html
    assert "Resident&#x27;s mobile (optional, progress by SMS)" in html
    body = {"category": "20-02", "description": "x", "channel": "window", **INSIDE_A1}
    r = c.post("/cases/window/", body, follow=True)
    html = english(text(r))
    assert "Entered for the resident. Case number" in html


def test_my_reports_and_a_case_for_the_resident_in_english(scene, cats):
    c = as_user(cats["resident"])
    html = english(text(c.get("/cases/mine/")))
    assert "<h1>My reports</h1>" in html and ">Report a problem</a>" in html
    html = english(text(c.get(f"/cases/{scene['new']}/")))
    assert "Case number <strong" in html and "<dt>Responsible unit</dt>" in html
    assert "<dt>Due by</dt>" in html and "<h2>Progress</h2>" in html and "Submitted" in html
    html = english(text(c.get(f"/cases/{scene['done']}/")))
    assert "Please rate how it was handled" in html and "Very satisfied" in html
    assert "Comment (optional)" in html and ">Send rating</button>" in html
    r = c.post(f"/cases/{scene['done']}/rate/", {"rating": "5"}, follow=True)
    assert "Thank you for your rating." in english(text(r))
    html = english(text(as_user(cats["volunteer"]).get("/cases/mine/")))
    assert "You have not reported any problem yet." in html


def test_a_case_for_staff_in_english(scene, cats):
    officer = as_user(cats["dept_officer"])
    html = english(text(officer.get(f"/cases/{scene['new']}/")))
    assert "<h2>Handle it</h2>" in html and 'placeholder="Reason for not accepting"' in html
    assert 'placeholder="A duplicate: merge into case number"' in html
    # Buttons say what they do; the same Chinese on the timeline names what happened.
    assert ">Register</button>" in html and ">Do not accept</button>" in html
    assert ">Merge</button>" in html
    html = english(text(officer.get(f"/cases/{scene['sent']}/")))
    assert ">Start handling</button>" in html and ">Send back</button>" in html
    assert ">Approve more time</button>" in html
    assert html.count("Sign out</button>") == 1  # the header's, not 退单
    assert (
        "<dt>Handling unit</dt>" in html and "Reassign to" in html and ">Reassign</button>" in html
    )
    assert f"Extension asked: to {until()} 24:00" in html and ">Refuse</button>" in html
    assert 'placeholder="Reason for sending back"' in html
    assert "Community calls, departments report in" in html and "Waiting to report in" in html
    assert "Deferral requested" in html and " · internal" in html
    cw = as_user(cats["community_worker"])
    html = english(text(cw.get(f"/cases/{scene['new']}/")))
    assert "Which departments should come?" in html and ">Call departments</button>" in html
    r = officer.post(f"/cases/{scene['new']}/register/", follow=True)
    assert "Registered." in english(text(r))
    r = officer.post(f"/cases/{scene['new']}/defer/", {"until": "x"}, follow=True)
    assert "Please choose the date to extend to." in english(text(r))


def test_case_desk_in_english(scene, cats):
    c = as_user(cats["community_worker"])
    html = english(text(c.get("/cases/queue/")))
    assert "<h1>Case desk</h1>" in html and ">In progress</option>" in html
    assert 'placeholder="Category code, e.g. 01"' in html and ">All grids</option>" in html
    assert "Overdue only" in html and "My unit only" in html and ">Filter</button>" in html
    assert "Dispatch selected to" in html and ">Dispatch selected</button>" in html
    assert "<th>Number</th><th>Category</th><th>Status</th>" in html
    assert "Page 1 / 1, 2 cases" in html
    html = english(text(c.get("/cases/queue/", {"status": "rejected"})))
    assert "No cases match." in html
    officer = as_user(cats["dept_officer"])
    body = {"case": [scene["new"]], "unit_id": cats.chengguan.pk}
    html = english(text(officer.post("/cases/queue/dispatch/", body, follow=True)))
    assert "1 cases dispatched." in html


def test_public_list_in_english(scene, cats):
    c = Client()
    c.cookies["django_language"] = "en"
    html = english(text(c.get("/cases/public/")))
    assert "<h1>Public reports</h1>" in html and "red circles are in progress" in html


def test_whistle_board_in_english(scene, cats):
    html = english(text(as_user(cats["street_admin"]).get("/cases/whistles/")))
    assert "<h1>Department call board</h1>" in html and "within 3 working days" in html
    assert "<th>Department called</th>" in html and "<th>Called by</th>" in html
    assert ">Report in</button>" in html and 'placeholder="What you found on site"' in html
    call = Case.objects.get(tracking_no=scene["sent"]).whistles.get().calls.get()
    r = as_user(cats["dept_officer"]).post(
        f"/cases/whistles/{call.pk}/report/", {"note": "已到场"}, follow=True
    )
    html = english(text(r))
    assert "Reported in." in html and "No calls waiting for a report." in html


# Chinese stays as it was ---------------------------------------------------------------------


def test_default_pages_are_still_chinese(scene, cats):
    html = text(as_user(cats["resident"], lang=None).get("/cases/new/"))
    assert '<html lang="zh-hans">' in html and "<h1>我要反映</h1>" in html
    assert "三步:选问题、选地点、说一句话。" in html and '"已选择位置:" + (label' in html
    assert "Report a problem" not in html
    html = text(as_user(cats["dept_officer"], lang=None).get(f"/cases/{scene['sent']}/"))
    assert "受理编号 <strong" in html and "<dt>责任单位</dt>" in html and ">改派</button>" in html
    assert f"缓办申请:至 {until()} 24:00" in html and "社区吹哨、部门报到" in html
    html = text(as_user(cats["community_worker"], lang=None).get("/cases/queue/"))
    assert (
        "<h1>诉求工作台</h1>" in html and "第 1 / 1 页,共 2 件" in html and "Case desk" not in html
    )
