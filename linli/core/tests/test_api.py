import pytest


def test_validation_error_is_structured_and_in_chinese(login):
    response = login("grid_worker").get("/api/geo/locate", {"lat": "abc", "lon": "120.12"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == "lat"
    assert "有误" in error["message"]


def test_out_of_range_point_is_refused(login):
    response = login("grid_worker").get("/api/geo/locate", {"lat": "95", "lon": "120.12"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "lat"


def test_locate_inside_and_outside(world, login):
    client = login("resident")
    inside = client.get("/api/geo/locate", {"lat": 30.2725, "lon": 120.1225})
    assert inside.status_code == 200
    assert inside.json()["unit_code"] == world.grid_a1.unit_code
    assert inside.json()["community_name"] == "甲社区"
    outside = client.get("/api/geo/locate", {"lat": 31.0, "lon": 121.0})
    assert outside.status_code == 404
    assert outside.json()["error"] == {
        "code": "outside_grids",
        "message": "该位置不在本平台的任何网格内,请确认地点。",
    }


def test_responsibility_lookup(world, login):
    client = login("community_worker")
    found = client.get(
        "/api/geo/responsibility", {"lat": 30.2725, "lon": 120.1225, "category": "01-10"}
    )
    assert found.status_code == 200 and found.json()["name"] == "西湖区城管局"
    missing = client.get(
        "/api/geo/responsibility", {"lat": 30.2725, "lon": 120.1225, "category": "09"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "no_responsible_unit"
    bad = client.get(
        "/api/geo/responsibility", {"lat": 30.2725, "lon": 120.1225, "category": "x;drop"}
    )
    assert bad.status_code == 400


def test_me_lists_memberships(world, login):
    body = login("grid_worker").get("/api/accounts/me").json()
    assert body["role"] == "grid_worker" and body["role_label"] == "网格员"
    assert body["memberships"] == [{"kind": "grid_worker", "place": str(world.grid_a1)}]


def test_openapi_schema_is_served_and_every_operation_documents_errors(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"].startswith("Linli")
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert "401" in op["responses"], (method, path)
            assert op.get("security"), (method, path)
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_responses_match_the_openapi_schema(world, login):
    """Each 200 body validates against its operation's declared response schema."""
    import jsonschema

    client = login("sysadmin")
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    calls = [
        ("/api/accounts/me", {}),
        ("/api/geo/locate", {"lat": 30.2725, "lon": 120.1225}),
        ("/api/geo/communities", {}),
        ("/api/core/notifications", {}),
        ("/api/core/audit/verify", {}),
    ]
    for url, params in calls:
        response = client.get(url, params)
        assert response.status_code == 200, url
        op = schema["paths"][url]["get"]
        body_schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), _resolve(body_schema, components))


def _resolve(node, components):
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {k: _resolve(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, components) for v in node]
    return node


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


def test_form_without_csrf_token_gets_a_chinese_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "a", "password": "b"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
