"""The services other apps call: a note on a case's timeline, a category they file under."""

from linli.casework.models import Case, CaseEvent, Category
from linli.casework.services.categories import category_ensure
from linli.casework.services.notes import case_internal_note
from linli.core.audit.models import AuditEntry
from linli.people.registry import case_visible, residents_via_open_cases


def test_internal_note_goes_on_open_cases_only(submit, cats):
    open_no, closed_no = submit()["tracking_no"], submit()["tracking_no"]
    Case.objects.filter(tracking_no=closed_no).update(status="closed")
    ids = list(Case.objects.values_list("pk", flat=True))
    assert case_internal_note(actor=cats["grid_worker"], case_ids=ids, text="已上门") == 1
    note = CaseEvent.objects.get(kind="note")
    assert note.case.tracking_no == open_no and not note.public and note.note == "已上门"
    assert AuditEntry.objects.filter(action="case.note", object_id=str(note.case_id)).exists()


def test_category_ensure_creates_once_with_emergency_deadlines(world):
    code = category_ensure(
        code="21-03",
        name="一键呼叫求助",
        parent_code="21",
        parent_name="养老服务",
        emergency=True,
        public=False,
    )
    assert code == "21-03"
    row = Category.objects.get(code="21-03")
    assert (row.urgency, row.respond_amount, row.respond_unit) == ("urgent", 1, "hours")
    assert not row.public and row.parent.code == "21"
    category_ensure(code="21-03", name="x", parent_code="21", parent_name="y")
    assert Category.objects.get(code="21-03").name == "一键呼叫求助"


def test_people_extension_points_are_filled(submit, cats):
    case = Case.objects.get(tracking_no=submit()["tracking_no"])  # owner: 城管
    [visible] = list(case_visible)
    assert visible(actor=cats["dept_officer"], case_id=case.pk)
    assert not visible(actor=cats["volunteer"], case_id=case.pk)

    def reached(user):
        # Each provider is a one-column `.values(...)` query of resident ids.
        return {
            pk
            for provider in residents_via_open_cases
            for row in provider(user)
            for pk in row.values()
        }

    reporter_record = cats["resident"].resident.pk  # the case's named reporter
    assert reached(cats["dept_officer"]) == {reporter_record}
    assert reached(cats["grid_worker"]) == set()
    Case.objects.filter(pk=case.pk).update(anonymous=True)
    assert reached(cats["dept_officer"]) == set()
