import pytest

from linli.casework.services.categories import categories_ensure_defaults

INSIDE_A1 = {"lat": 30.2725, "lon": 120.1225}


@pytest.fixture
def cats(world):
    categories_ensure_defaults(actor=None)
    return world


@pytest.fixture
def submit(cats, login):
    """submit(**overrides) → the JSON of a case the resident reported (01-10 暴露垃圾)."""

    def _submit(**overrides):
        body = {"category": "01-10", "description": "楼下垃圾堆了三天没人清理", **INSIDE_A1}
        body.update(overrides)
        response = login("resident").post("/api/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()

    return _submit
