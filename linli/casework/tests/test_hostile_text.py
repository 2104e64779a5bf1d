"""Every free text of a case, tried with hostile input (linli/testing/strategies.py)."""

from hypothesis import given

from linli.casework.models import Case
from linli.casework.services.intake import CaseInput, case_submit
from linli.casework.tests.conftest import INSIDE_A1
from linli.testing.strategies import HOSTILE, attempt, hostile_text, stored_as_shown


@HOSTILE
@given(text=hostile_text())
def test_case_description_is_stored_as_shown_or_refused(cats, text):
    data = CaseInput(category_code="01-10", description=text, **INSIDE_A1)
    case, error = attempt(
        lambda: case_submit(actor=cats["resident"], data=data), count=Case.objects.count
    )
    if error is None:
        stored_as_shown(text, case.description, max_length=2000)


@HOSTILE
@given(text=hostile_text())
def test_case_address_is_stored_as_shown_or_refused(cats, text):
    data = CaseInput(category_code="01-10", description="路灯坏了", address=text, **INSIDE_A1)
    case, error = attempt(
        lambda: case_submit(actor=cats["resident"], data=data), count=Case.objects.count
    )
    if error is None:
        stored_as_shown(text, case.address, max_length=200)


@HOSTILE
@given(text=hostile_text())
def test_case_category_code_is_found_or_refused(cats, text):
    data = CaseInput(category_code=text, description="路灯坏了", **INSIDE_A1)
    case, error = attempt(
        lambda: case_submit(actor=cats["resident"], data=data), count=Case.objects.count
    )
    assert error is not None or case.category.code == text.strip()
