"""GEO-1 GeoJSON grid import (service and command), GEO-2 point lookup, GEO-4 responsibility."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from linli.core.audit.models import AuditEntry
from linli.core.errors import ValidationFailed
from linli.geo.choices import DepartmentKind
from linli.geo.models import Community, Department, District, Grid, ResponsibilityRule, Street
from linli.geo.selectors import grid_locate, responsibility_unit
from linli.geo.services import ImportResult, grids_import

LON0, LAT0, STEP = 116.40, 39.90, 0.01
C1 = "110105001001"  # 朝阳区 / 街道 001 / 社区 001
C2 = "110105001002"  # 朝阳区 / 街道 001 / 社区 002
C3 = "110105002001"  # 朝阳区 / 街道 002 / 社区 001


# ---------------------------------------------------------------- helpers


def edge_lon(i: float) -> float:
    return LON0 + i * STEP


def edge_lat(j: float) -> float:
    return LAT0 + j * STEP


def ring(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    """A closed counter-clockwise rectangle in grid-step units."""
    a, b, c, d = edge_lon(x0), edge_lat(y0), edge_lon(x1), edge_lat(y1)
    return [[a, b], [c, b], [c, d], [a, d], [a, b]]


def square(i: int, j: int) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring(i, j, i + 1, j + 1)]}


def feature(unit_code: Any, name: Any, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"unit_code": unit_code, "name": name},
        "geometry": geometry,
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def good_collection() -> dict[str, Any]:
    """Four unit squares in a row, two per community, each touching the next."""
    return collection(
        feature(C1 + "001", "一网格", square(0, 0)),
        feature(C1 + "002", "二网格", square(1, 0)),
        feature(C2 + "001", "三网格", square(2, 0)),
        feature(C2 + "002", "四网格", square(3, 0)),
    )


def centre(i: int, j: int) -> tuple[float, float]:
    """(lat, lon) of the centre of square (i, j)."""
    return edge_lat(j + 0.5), edge_lon(i + 0.5)


def import_errors(data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as info:
        grids_import(actor=None, data=data)
    assert "未写入任何数据" in info.value.message
    errors: list[dict[str, Any]] = info.value.extra["errors"]
    assert errors
    return errors


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def hierarchy(db: None) -> dict[str, Community]:
    district = District.objects.create(code="110105", name="朝阳区", city="北京市")
    s1 = Street.objects.create(district=district, code="001", name="建外街道")
    s2 = Street.objects.create(district=district, code="002", name="朝外街道")
    return {
        C1: Community.objects.create(street=s1, code="001", name="建国里社区"),
        C2: Community.objects.create(street=s1, code="002", name="永安里社区"),
        C3: Community.objects.create(street=s2, code="001", name="吉祥里社区"),
    }


@pytest.fixture
def actor(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="geo_admin", password="x" * 12)


@pytest.fixture
def existing(hierarchy: dict[str, Community]) -> Grid:
    """One grid already in the database, away from the squares used by the cases."""
    grids_import(actor=None, data=collection(feature(C3 + "009", "老网格", square(0, 5))))
    return Grid.objects.get(unit_code=C3 + "009")


# ---------------------------------------------------------------- a good import


def test_import_creates_grids_and_locate_finds_them(hierarchy: dict[str, Community], actor: Any):
    before = AuditEntry.objects.count()

    result = grids_import(actor=actor, data=good_collection())

    assert result == ImportResult(created=4, updated=0)
    g = Grid.objects.get(unit_code=C2 + "001")
    assert g.community == hierarchy[C2]
    assert g.code == "001"
    assert g.name == "三网格"
    assert g.geometry == square(2, 0)
    assert (g.min_lon, g.min_lat, g.max_lon, g.max_lat) == pytest.approx(
        (edge_lon(2), edge_lat(0), edge_lon(3), edge_lat(1))
    )
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["geo.grids_import"]
    assert entries[0].actor_id == actor.pk
    assert entries[0].data["created"] == 4
    assert entries[0].data["updated"] == 0

    for i, unit_code in enumerate([C1 + "001", C1 + "002", C2 + "001", C2 + "002"]):
        lat, lon = centre(i, 0)
        found = grid_locate(lat=lat, lon=lon)
        assert found is not None
        assert found.unit_code == unit_code
        grid = Grid.objects.get(unit_code=unit_code)
        assert (found.grid_id, found.community_id) == (grid.pk, grid.community_id)
        assert found.street_id == grid.community.street_id
    assert grid_locate(lat=edge_lat(0.5), lon=edge_lon(-0.5)) is None
    assert grid_locate(lat=edge_lat(1.5), lon=edge_lon(1.5)) is None
    assert grid_locate(lat=0.0, lon=0.0) is None


def test_point_on_a_shared_edge_goes_to_the_lower_id(hierarchy: dict[str, Community]):
    grids_import(actor=None, data=good_collection())
    first = Grid.objects.get(unit_code=C1 + "001")
    found = grid_locate(lat=edge_lat(0.5), lon=edge_lon(1))
    assert found is not None and found.grid_id == first.pk


def test_multipolygon_with_a_hole(hierarchy: dict[str, Community]):
    outer = ring(0, 0, 3, 3)
    hole = ring(1, 1, 2, 2)[::-1]
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [[outer, hole], [ring(5, 0, 6, 1)]],
    }
    # A second grid fills the hole exactly: touching the hole's edges is not an overlap.
    data = collection(
        feature(C1 + "001", "回字网格", geometry),
        feature(C1 + "002", "中心网格", square(1, 1)),
    )
    assert grids_import(actor=None, data=data) == ImportResult(created=2, updated=0)
    found = grid_locate(lat=edge_lat(0.5), lon=edge_lon(5.5))
    assert found is not None and found.unit_code == C1 + "001"
    found = grid_locate(lat=edge_lat(1.5), lon=edge_lon(1.5))
    assert found is not None and found.unit_code == C1 + "002"


def test_numeric_unit_code_3d_positions_and_padded_names_are_accepted(
    hierarchy: dict[str, Community],
):
    geometry = {"type": "Polygon", "coordinates": [[[*p, 42.0] for p in ring(0, 0, 1, 1)]]}
    grids_import(actor=None, data=collection(feature(int(C1 + "001"), "  一网格 ", geometry)))
    g = Grid.objects.get()
    assert (g.unit_code, g.name) == (C1 + "001", "一网格")
    assert g.geometry == square(0, 0)  # stored as 2-D lon/lat


def test_touching_edges_and_corners_are_accepted(hierarchy: dict[str, Community]):
    data = collection(
        feature(C1 + "001", "甲", square(0, 0)),
        feature(C1 + "002", "乙", square(1, 0)),  # shares an edge
        feature(C1 + "003", "丙", square(1, 1)),  # shares an edge with 乙, a corner with 甲
        feature(C1 + "004", "丁", square(0, 1)),
    )
    assert grids_import(actor=None, data=data).created == 4


def test_overlap_below_the_tolerance_is_accepted(hierarchy: dict[str, Community]):
    # A 5e-9° (about 0.5 mm) strip along a 1 km shared edge, 5e-11 deg²: digitising noise.
    sliver = 5e-9 / STEP
    data = collection(
        feature(C1 + "001", "甲", square(0, 0)),
        feature(C1 + "002", "乙", {"type": "Polygon", "coordinates": [ring(1 - sliver, 0, 2, 1)]}),
    )
    assert grids_import(actor=None, data=data).created == 2


def test_touching_an_existing_grid_is_accepted(existing: Grid):
    data = collection(feature(C3 + "001", "邻居", square(1, 5)))
    assert grids_import(actor=None, data=data).created == 1


# ---------------------------------------------------------------- re-import


def test_reimport_updates_name_and_geometry(hierarchy: dict[str, Community], actor: Any):
    grids_import(actor=actor, data=good_collection())
    old = Grid.objects.get(unit_code=C1 + "001")
    assert grid_locate(lat=centre(0, 0)[0], lon=centre(0, 0)[1]) is not None  # index built

    moved = collection(
        feature(C1 + "001", "一网格(新)", square(0, 3)),
        feature(C1 + "005", "五网格", square(0, 0)),  # takes the place the first one left
    )
    result = grids_import(actor=actor, data=moved)

    assert result == ImportResult(created=1, updated=1)
    assert Grid.objects.count() == 5
    new = Grid.objects.get(unit_code=C1 + "001")
    assert new.pk == old.pk
    assert new.name == "一网格(新)"
    assert new.geometry == square(0, 3)
    assert new.min_lat == pytest.approx(edge_lat(3))
    assert new.updated_at > old.updated_at
    # The lookup index noticed the change.
    found = grid_locate(lat=centre(0, 3)[0], lon=centre(0, 3)[1])
    assert found is not None and found.unit_code == C1 + "001"
    found = grid_locate(lat=centre(0, 0)[0], lon=centre(0, 0)[1])
    assert found is not None and found.unit_code == C1 + "005"
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "geo.grids_import"
    assert (last.data["created"], last.data["updated"]) == (1, 1)


def test_reimport_of_the_same_file_only_updates(hierarchy: dict[str, Community]):
    grids_import(actor=None, data=good_collection())
    assert grids_import(actor=None, data=good_collection()) == ImportResult(created=0, updated=4)
    assert Grid.objects.count() == 4


def test_update_only_touching_the_lookup_index(hierarchy: dict[str, Community]):
    """An update that changes no count and no id must still rebuild the index."""
    grids_import(actor=None, data=collection(feature(C1 + "001", "甲", square(0, 0))))
    assert grid_locate(lat=centre(0, 0)[0], lon=centre(0, 0)[1]) is not None
    grids_import(actor=None, data=collection(feature(C1 + "001", "甲", square(4, 4))))
    assert grid_locate(lat=centre(0, 0)[0], lon=centre(0, 0)[1]) is None
    assert grid_locate(lat=centre(4, 4)[0], lon=centre(4, 4)[1]) is not None


def test_dry_run_writes_nothing(hierarchy: dict[str, Community]):
    before = AuditEntry.objects.count()
    result = grids_import(actor=None, data=good_collection(), dry_run=True)
    assert result == ImportResult(created=4, updated=0)
    assert Grid.objects.count() == 0
    assert AuditEntry.objects.count() == before


# ---------------------------------------------------------------- every error, nothing written

BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [LON0, LAT0],
            [LON0 + 0.01, LAT0 + 0.01],
            [LON0 + 0.01, LAT0],
            [LON0, LAT0 + 0.01],
            [LON0, LAT0],
        ]
    ],
}
HALF_OVERLAP = {"type": "Polygon", "coordinates": [ring(0.5, 5, 1.5, 6)]}  # half over `existing`

ERROR_CASES: list[tuple[str, Any, int | None, str]] = [
    # (id, data, feature index of the error, a fragment of its message)
    ("not-a-collection", feature(C1 + "001", "甲", square(0, 0)), None, "FeatureCollection"),
    ("a-list", [feature(C1 + "001", "甲", square(0, 0))], None, "FeatureCollection"),
    (
        "features-not-a-list",
        {"type": "FeatureCollection", "features": {}},
        None,
        "features 应为数组",
    ),
    ("no-features", collection(), None, "没有任何网格要素"),
    (
        "projected-crs",
        {
            **collection(feature(C1 + "001", "甲", square(0, 0))),
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        },
        None,
        "坐标系不支持",
    ),
    ("feature-not-a-feature", collection({"type": "Polygon"}), 0, "应为 Feature"),
    (
        "properties-not-an-object",
        collection({"type": "Feature", "properties": [], "geometry": square(0, 0)}),
        0,
        "properties 应为对象",
    ),
    ("unit-code-missing", collection(feature(None, "甲", square(0, 0))), 0, "缺少单元网格编码"),
    ("unit-code-blank", collection(feature("  ", "甲", square(0, 0))), 0, "缺少单元网格编码"),
    (
        "unit-code-14-digits",
        collection(feature(C1 + "01", "甲", square(0, 0))),
        0,
        "应为 15 位数字",
    ),
    (
        "unit-code-16-digits",
        collection(feature(C1 + "0001", "甲", square(0, 0))),
        0,
        "应为 15 位数字",
    ),
    ("unit-code-letters", collection(feature(C1 + "00A", "甲", square(0, 0))), 0, "应为 15 位数字"),
    (
        "unit-code-fullwidth-digits",
        collection(feature(C1 + "００１", "甲", square(0, 0))),
        0,
        "应为 15 位数字",
    ),
    ("unit-code-float", collection(feature(1.5, "甲", square(0, 0))), 0, "应为 15 位数字"),
    (
        "duplicate-unit-code",
        collection(
            feature(C1 + "001", "甲", square(0, 0)), feature(C1 + "001", "乙", square(1, 0))
        ),
        1,
        "编码重复",
    ),
    ("name-missing", collection(feature(C1 + "001", None, square(0, 0))), 0, "缺少网格名称"),
    ("name-blank", collection(feature(C1 + "001", "  ", square(0, 0))), 0, "缺少网格名称"),
    ("name-too-long", collection(feature(C1 + "001", "长" * 51, square(0, 0))), 0, "名称过长"),
    ("geometry-missing", collection(feature(C1 + "001", "甲", None)), 0, "缺少几何"),
    (
        "geometry-point",
        collection(feature(C1 + "001", "甲", {"type": "Point", "coordinates": [LON0, LAT0]})),
        0,
        "几何类型不支持",
    ),
    (
        "geometry-linestring",
        collection(
            feature(C1 + "001", "甲", {"type": "LineString", "coordinates": ring(0, 0, 1, 1)})
        ),
        0,
        "几何类型不支持",
    ),
    (
        "geometry-empty-polygon",
        collection(feature(C1 + "001", "甲", {"type": "Polygon", "coordinates": []})),
        0,
        "几何为空",
    ),
    (
        "geometry-empty-ring",
        collection(feature(C1 + "001", "甲", {"type": "Polygon", "coordinates": [[]]})),
        0,
        "几何为空",
    ),
    (
        "geometry-empty-multipolygon",
        collection(feature(C1 + "001", "甲", {"type": "MultiPolygon", "coordinates": []})),
        0,
        "几何为空",
    ),
    ("geometry-self-intersecting", collection(feature(C1 + "001", "甲", BOWTIE)), 0, "自相交"),
    (
        "geometry-overlapping-parts",
        collection(
            feature(
                C1 + "001",
                "甲",
                {"type": "MultiPolygon", "coordinates": [[ring(0, 0, 2, 2)], [ring(1, 1, 3, 3)]]},
            )
        ),
        0,
        "几何无效",
    ),
    (
        "geometry-unclosed-ring",
        collection(
            feature(C1 + "001", "甲", {"type": "Polygon", "coordinates": [ring(0, 0, 1, 1)[:-1]]})
        ),
        0,
        "环未闭合",
    ),
    (
        "geometry-too-few-points",
        collection(
            feature(
                C1 + "001",
                "甲",
                {
                    "type": "Polygon",
                    "coordinates": [[[LON0, LAT0], [LON0 + 0.01, LAT0], [LON0, LAT0]]],
                },
            )
        ),
        0,
        "点数过少",
    ),
    (
        "geometry-text-coordinates",
        collection(
            feature(C1 + "001", "甲", {"type": "Polygon", "coordinates": [[["116.4", "39.9"]] * 4]})
        ),
        0,
        "坐标格式错误",
    ),
    (
        "geometry-lat-out-of-range",
        collection(
            feature(
                C1 + "001",
                "甲",
                {
                    "type": "Polygon",
                    "coordinates": [[[116.4, 91.0], [116.5, 91.0], [116.5, 92.0], [116.4, 91.0]]],
                },
            )
        ),
        0,
        "超出经纬度范围",
    ),
    (
        "geometry-lat-lon-swapped",
        collection(
            feature(
                C1 + "001",
                "甲",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[39.9, 116.4], [39.91, 116.4], [39.91, 116.41], [39.9, 116.4]]
                    ],
                },
            )
        ),
        0,
        "超出经纬度范围",
    ),
    (
        "geometry-projected-metres",
        collection(
            feature(
                C1 + "001",
                "甲",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [12958000.0, 4852000.0],
                            [12959000.0, 4852000.0],
                            [12959000.0, 4853000.0],
                            [12958000.0, 4852000.0],
                        ]
                    ],
                },
            )
        ),
        0,
        "超出经纬度范围",
    ),
    (
        "unknown-district",
        collection(feature("110199001001001", "甲", square(0, 0))),
        0,
        "所属区不存在",
    ),
    (
        "unknown-street",
        collection(feature("110105009001001", "甲", square(0, 0))),
        0,
        "所属街道不存在",
    ),
    (
        "unknown-community",
        collection(feature("110105001009001", "甲", square(0, 0))),
        0,
        "所属社区不存在",
    ),
    (
        "overlap-in-file",
        collection(
            feature(C1 + "001", "甲", square(0, 0)),
            feature(
                C1 + "002", "乙", {"type": "Polygon", "coordinates": [ring(0.5, 0.5, 1.5, 1.5)]}
            ),
        ),
        1,
        "重叠",
    ),
    (
        "contained-in-file",
        collection(
            feature(C1 + "001", "甲", {"type": "Polygon", "coordinates": [ring(0, 0, 3, 3)]}),
            feature(C1 + "002", "乙", square(1, 1)),
        ),
        1,
        "重叠",
    ),
    (
        "identical-in-file",
        collection(
            feature(C1 + "001", "甲", square(0, 0)), feature(C1 + "002", "乙", square(0, 0))
        ),
        1,
        "重叠",
    ),
    (
        "overlap-with-existing",
        collection(feature(C1 + "001", "甲", HALF_OVERLAP)),
        0,
        "已有网格「老网格」",
    ),
]


@pytest.mark.parametrize(
    ("data", "index", "fragment"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_error_is_reported_and_nothing_is_written(
    existing: Grid, data: Any, index: int | None, fragment: str
):
    grids_before = list(Grid.objects.values_list("id", "name", "geometry", "updated_at"))
    audit_before = AuditEntry.objects.count()

    errors = import_errors(data)

    assert any(e["feature"] == index and fragment in e["message"] for e in errors), errors
    assert list(Grid.objects.values_list("id", "name", "geometry", "updated_at")) == grids_before
    assert AuditEntry.objects.count() == audit_before


def test_overlap_message_names_both_grids_and_the_area(hierarchy: dict[str, Community]):
    data = collection(
        feature(C1 + "001", "甲", square(0, 0)),
        feature(C1 + "002", "乙", {"type": "Polygon", "coordinates": [ring(0.5, 0, 1.5, 1)]}),
    )
    [error] = import_errors(data)
    assert error["feature"] == 1
    assert error["unit_code"] == C1 + "002"
    assert f"features[0](编码 {C1}001)" in error["message"]
    # Half of a 0.01° square at 39.9°N: about 0.5 × 1113 m × 854 m ≈ 475,000 m².
    area = int(error["message"].split("约 ")[1].split(" 平方米")[0])
    assert 450_000 < area < 500_000


def test_all_errors_are_collected_in_one_run(existing: Grid):
    data = collection(
        feature(C1 + "001", "好网格", square(0, 0)),
        feature("12345", "", square(1, 0)),  # bad code and no name
        feature(C1 + "003", "自相交", BOWTIE),
        feature("110105001009001", "无主", square(3, 0)),
        feature(C1 + "005", "压线", {"type": "Polygon", "coordinates": [ring(0.5, 0, 1, 1)]}),
        feature(C1 + "006", "压老网格", HALF_OVERLAP),
        feature(C1 + "001", "重复", square(7, 0)),
    )
    errors = import_errors(data)
    got = [(e["feature"], e["message"][:6]) for e in errors]
    assert [i for i, _ in got] == sorted(i for i, _ in got)
    by_feature: dict[int, list[str]] = {}
    for e in errors:
        by_feature.setdefault(e["feature"], []).append(e["message"])
    assert set(by_feature) == {1, 2, 3, 4, 5, 6}
    assert len(by_feature[1]) == 2  # code and name
    assert "自相交" in by_feature[2][0]
    assert "所属社区不存在" in by_feature[3][0]
    assert "features[0]" in by_feature[4][0]
    assert "老网格" in by_feature[5][0]
    assert "编码重复" in by_feature[6][0]
    assert Grid.objects.count() == 1


def test_replaced_grids_are_not_overlap_checked_against_their_old_shape(existing: Grid):
    # The existing grid moves away and a new grid takes its old place in the same file.
    data = collection(
        feature(existing.unit_code, "老网格", square(9, 9)),
        feature(C3 + "001", "新网格", square(0, 5)),
    )
    assert grids_import(actor=None, data=data) == ImportResult(created=1, updated=1)


def test_code_slot_held_by_an_inconsistent_row_is_reported(existing: Grid):
    # A row whose unit_code does not match its community/code (edited by hand) blocks the slot.
    Grid.objects.filter(pk=existing.pk).update(unit_code="999999999999999", code="001")
    errors = import_errors(collection(feature(C3 + "001", "新网格", square(5, 5))))
    assert "网格码冲突" in errors[0]["message"]


# ---------------------------------------------------------------- the management command


def write(tmp_path: Path, data: Any, name: str = "grids.geojson") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def manage_py(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run as `manage.py …` does (CommandError → exit status 1), in the test's transaction.

    The command runner closes every connection when it finishes; on PostgreSQL that would
    end the test's transaction, so closing is switched off here.
    """
    monkeypatch.setattr(connections, "close_all", lambda: None)
    return lambda *args: execute_from_command_line(["manage.py", *args])


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("geo_import", *args, stdout=out)
    return out.getvalue()


def test_command_imports_and_prints_counts(
    hierarchy: dict[str, Community],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    manage_py: Any,
):
    path = write(tmp_path, good_collection())
    manage_py("geo_import", path)  # no SystemExit: status 0
    assert "新建 4 个网格,更新 0 个网格" in capsys.readouterr().out
    assert Grid.objects.count() == 4

    manage_py("geo_import", path)
    assert "新建 0 个网格,更新 4 个网格" in capsys.readouterr().out


def test_command_dry_run(hierarchy: dict[str, Community], tmp_path: Path):
    path = write(tmp_path, good_collection())
    before = AuditEntry.objects.count()
    out = call(path, "--dry-run")
    assert "试运行" in out and "新建 4 个网格" in out
    assert Grid.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_command_prints_every_error_and_exits_non_zero(
    hierarchy: dict[str, Community],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    manage_py: Any,
):
    data = collection(
        feature(C1 + "001", "甲", square(0, 0)),
        feature("12345", "乙", square(1, 0)),
        feature(C1 + "003", "", BOWTIE),
    )
    path = write(tmp_path, data)
    with pytest.raises(SystemExit) as info:
        manage_py("geo_import", path)
    assert info.value.code == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert (
        lines[0]
        == "features[1] 12345:单元网格编码格式错误:12345,应为 15 位数字(6 位区划 + 3 位街道 + 3 位社区 + 3 位网格)"
    )
    assert lines[1] == f"features[2] {C1}003:缺少网格名称 name"
    assert lines[2].startswith(f"features[2] {C1}003:几何无效:边界自相交")
    assert "共 3 处错误" in lines[3]
    assert captured.out == ""
    assert Grid.objects.count() == 0


def test_command_reports_structure_errors_without_a_feature(
    hierarchy: dict[str, Community],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    manage_py: Any,
):
    path = write(tmp_path, {"type": "Topology"})
    with pytest.raises(SystemExit):
        manage_py("geo_import", path)
    assert capsys.readouterr().err.startswith("文件:文件不是 GeoJSON FeatureCollection")


def test_command_bad_json_file(hierarchy: dict[str, Community], tmp_path: Path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON.*第 1 行"):
        call_command("geo_import", str(path))


def test_command_missing_and_non_utf8_files(hierarchy: dict[str, Community], tmp_path: Path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("geo_import", str(tmp_path / "nope.geojson"))
    path = tmp_path / "gbk.geojson"
    path.write_bytes(json.dumps(good_collection(), ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("geo_import", str(path))


def test_command_accepts_a_utf8_bom(hierarchy: dict[str, Community], tmp_path: Path):
    path = tmp_path / "bom.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_collection()).encode())
    assert "新建 4 个网格" in call(str(path))


# ---------------------------------------------------------------- GEO-4 responsibility list


@pytest.fixture
def units(db: None) -> dict[str, Department]:
    return {
        name: Department.objects.create(name=name, kind=DepartmentKind.GOVERNMENT)
        for name in ["区城管委", "区水务局", "街道办", "社区居委会", "物业", "别处物业"]
    }


@pytest.fixture
def grids(hierarchy: dict[str, Community]) -> dict[str, Grid]:
    grids_import(actor=None, data=good_collection())
    return {g.unit_code: g for g in Grid.objects.select_related("community")}


def rule(code: str, unit: Department, **area: Any) -> ResponsibilityRule:
    return ResponsibilityRule.objects.create(category_code=code, unit=unit, **area)


def test_responsibility_smallest_area_wins(
    grids: dict[str, Grid], units: dict[str, Department], hierarchy: dict[str, Community]
):
    grid = grids[C1 + "001"]
    community = hierarchy[C1]
    assert responsibility_unit(category_code="01", grid=grid) is None

    rule("01", units["区城管委"])
    assert responsibility_unit(category_code="01", grid=grid) == units["区城管委"]
    rule("01", units["街道办"], street=community.street)
    assert responsibility_unit(category_code="01", grid=grid) == units["街道办"]
    rule("01", units["社区居委会"], community=community)
    assert responsibility_unit(category_code="01", grid=grid) == units["社区居委会"]
    rule("01", units["物业"], grid=grid)
    assert responsibility_unit(category_code="01", grid=grid) == units["物业"]

    # A neighbouring grid in the same community gets the community's unit, one in another
    # community of the same street the street's unit, one in another street the district's.
    assert responsibility_unit(category_code="01", grid=grids[C1 + "002"]) == units["社区居委会"]
    assert responsibility_unit(category_code="01", grid=grids[C2 + "001"]) == units["街道办"]
    grids_import(actor=None, data=collection(feature(C3 + "001", "外街", square(0, 5))))
    far = Grid.objects.get(unit_code=C3 + "001")
    assert responsibility_unit(category_code="01", grid=far) == units["区城管委"]


def test_responsibility_rules_for_other_areas_do_not_apply(
    grids: dict[str, Grid], units: dict[str, Department], hierarchy: dict[str, Community]
):
    rule("02", units["别处物业"], grid=grids[C2 + "001"])
    rule("02", units["社区居委会"], community=hierarchy[C2])
    rule("02", units["街道办"], street=hierarchy[C3].street)
    assert responsibility_unit(category_code="02", grid=grids[C1 + "001"]) is None
    rule("02", units["区水务局"])
    assert responsibility_unit(category_code="02", grid=grids[C1 + "001"]) == units["区水务局"]


def test_responsibility_most_specific_category_wins(
    grids: dict[str, Grid], units: dict[str, Department], hierarchy: dict[str, Community]
):
    grid = grids[C1 + "001"]
    rule("01", units["物业"], grid=grid)  # major category, smallest area
    rule("01-10", units["区水务局"])  # minor category, whole district
    assert responsibility_unit(category_code="01-10", grid=grid) == units["区水务局"]
    # Another minor category of the same major falls back to the major-category rule.
    assert responsibility_unit(category_code="01-11", grid=grid) == units["物业"]
    # The major code alone does not pick up minor-category rules.
    assert responsibility_unit(category_code="01", grid=grid) == units["物业"]
    # Within the minor category, the smaller area wins again.
    rule("01-10", units["社区居委会"], community=hierarchy[C1])
    assert responsibility_unit(category_code="01-10", grid=grid) == units["社区居委会"]
    # Unrelated categories never match.
    assert responsibility_unit(category_code="02-10", grid=grid) is None
