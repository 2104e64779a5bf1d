"""Parse and check a GeoJSON FeatureCollection of grids (no database access)."""

import math
import re
from dataclasses import dataclass
from typing import Any

from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

from linli.core.errors import ValidationFailed

# Intersections smaller than this (deg², about 1 m² at 30°N) are digitising noise along a
# shared edge, not an overlap.
OVERLAP_TOLERANCE = 1e-10
UNIT_CODE_RE = re.compile(r"[0-9]{15}")
NAME_MAX = 50  # Grid.name max_length
BATCH = 500  # rows per bulk statement; also the IN-list chunk when reading grids by code
WGS84_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:4326",
    "EPSG:4326",
    "CRS84",
}
M_PER_DEG = 111_320.0

# GEOS explain_validity reasons → Chinese (matched on the start of the reason).
_VALIDITY_REASONS = [
    ("Ring Self-intersection", "环自相交"),
    ("Self-intersection", "边界自相交"),
    ("Too few", "不同的点过少"),
    ("Hole lies outside shell", "内环(洞)位于外环之外"),
    ("Holes are nested", "内环相互嵌套"),
    ("Nested holes", "内环相互嵌套"),
    ("Nested shells", "多个多边形相互嵌套"),
    ("Interior is disconnected", "内部被内环分割成不连通的部分"),
    ("Duplicate Rings", "存在重复的环"),
    ("Repeated Point", "存在重复的点"),
    ("Invalid Coordinate", "坐标无效"),
    ("Ring is not closed", "环未闭合"),
]

Ring = list[list[float]]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@dataclass
class GridFeature:
    index: int
    unit_code: str
    name: str
    geometry: dict[str, Any]  # normalised GeoJSON: type + 2-D float coordinates
    geom: Any  # valid, non-empty shapely Polygon or MultiPolygon
    community_id: int | None = None


class ImportErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, index: int | None, unit_code: str | None, message: str) -> None:
        self.items.append({"feature": index, "unit_code": unit_code, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda e: -1 if e["feature"] is None else e["feature"])
            raise ValidationFailed(
                f"GeoJSON 校验未通过:共 {len(self.items)} 处错误,未写入任何数据。",
                code="geojson_invalid",
                extra={"errors": self.items},
            )


class _GeometryError(Exception):
    pass


# ---------------------------------------------------------------- parsing one feature


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_ring(ring: Any) -> Ring:
    if not isinstance(ring, list) or not ring:
        raise _GeometryError("几何为空:存在没有坐标的环")
    out: Ring = []
    for pos in ring:
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not _is_number(pos[0])
            or not _is_number(pos[1])
        ):
            raise _GeometryError("坐标格式错误:每个点应为 [经度, 纬度] 两个数字")
        lon, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise _GeometryError("坐标格式错误:包含非有限数值")
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise _GeometryError(
                f"坐标超出经纬度范围:[{pos[0]}, {pos[1]}](应为 WGS84 经度 -180~180、"
                "纬度 -90~90,且经度在前)"
            )
        out.append([lon, lat])
    if len(out) < 4:
        raise _GeometryError("环的点数过少:闭合环至少需要 4 个点(首尾相同)")
    if out[0] != out[-1]:
        raise _GeometryError("环未闭合:首点与末点必须相同")
    return out


def _parse_polygon(coords: Any) -> list[Ring]:
    if not isinstance(coords, list):
        raise _GeometryError("坐标格式错误:Polygon 的 coordinates 应为环的数组")
    if not coords:
        raise _GeometryError("几何为空:没有任何坐标")
    return [_parse_ring(ring) for ring in coords]


def _translate_validity(reason: str) -> str:
    head, _, where = reason.partition("[")
    head = head.strip()
    text = next((zh for en, zh in _VALIDITY_REASONS if head.startswith(en)), head)
    if where:
        text += f"(位置 [{where.rstrip(']').replace(' ', ', ')}])"
    return text


def _parse_geometry(raw: Any) -> tuple[dict[str, Any], Any]:
    """Normalised GeoJSON dict and the shapely geometry, or _GeometryError in Chinese."""
    if raw is None:
        raise _GeometryError("缺少几何(geometry 为空)")
    if not isinstance(raw, dict):
        raise _GeometryError("几何格式错误:geometry 应为对象")
    kind = raw.get("type")
    coords = raw.get("coordinates")
    if kind == "Polygon":
        normalised: Any = _parse_polygon(coords)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list):
            raise _GeometryError("坐标格式错误:MultiPolygon 的 coordinates 应为多边形的数组")
        if not coords:
            raise _GeometryError("几何为空:没有任何坐标")
        normalised = [_parse_polygon(poly) for poly in coords]
    else:
        raise _GeometryError(f"几何类型不支持:{kind!r},网格只能是 Polygon 或 MultiPolygon")
    geometry = {"type": kind, "coordinates": normalised}
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, GEOSException) as exc:
        raise _GeometryError(f"几何无法解析:{exc}") from exc
    if geom.is_empty:
        raise _GeometryError("几何为空")
    if not geom.is_valid:
        if kind == "MultiPolygon" and all(part.is_valid for part in geom.geoms):
            raise _GeometryError(
                "几何无效:MultiPolygon 的各部分相互重叠或共用一段边界(应合并为一个多边形)"
            )
        raise _GeometryError(f"几何无效:{_translate_validity(explain_validity(geom))}")
    if geom.area <= OVERLAP_TOLERANCE:
        raise _GeometryError("几何面积为零或过小")
    return geometry, geom


def _unit_code(props: dict[str, Any]) -> tuple[str | None, str | None]:
    """(code, error). Whole numbers are accepted: GIS tools often export codes as numbers."""
    raw = props.get("unit_code")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "缺少单元网格编码 unit_code"
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None, f"单元网格编码格式错误:{raw!r},应为 15 位数字"
    code = raw.strip()
    if not UNIT_CODE_RE.fullmatch(code):
        return (
            code,
            f"单元网格编码格式错误:{code},"
            "应为 15 位数字(6 位区划 + 3 位街道 + 3 位社区 + 3 位网格)",
        )
    return code, None


def check_structure(data: Any, errors: ImportErrors) -> list[Any]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        errors.add(
            None, None, "文件不是 GeoJSON FeatureCollection(顶层 type 应为 FeatureCollection)"
        )
        return []
    crs = data.get("crs")
    if crs is not None:
        name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if name not in WGS84_CRS:
            errors.add(None, None, f"坐标系不支持:{name or crs!r},请导出为 WGS84 经纬度(EPSG:4326)")
    features = data.get("features")
    if not isinstance(features, list):
        errors.add(None, None, "GeoJSON 结构错误:features 应为数组")
        return []
    if not features:
        errors.add(None, None, "文件中没有任何网格要素")
    return features


def parse_features(features: list[Any], errors: ImportErrors) -> list[GridFeature]:
    parsed: list[GridFeature] = []
    first_seen: dict[str, int] = {}
    for index, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            errors.add(index, None, "GeoJSON 结构错误:要素的 type 应为 Feature")
            continue
        props = feat.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            errors.add(index, None, "GeoJSON 结构错误:properties 应为对象")
            props = {}
        code, code_error = _unit_code(props)
        if code_error:
            errors.add(index, code, code_error)
            code = None
        elif code is not None and code in first_seen:
            errors.add(index, code, f"单元网格编码重复:与 features[{first_seen[code]}] 相同")
            code = None
        elif code is not None:
            first_seen[code] = index
        raw_name = props.get("name")
        name = raw_name.strip() if isinstance(raw_name, str) else ""
        if not name:
            errors.add(index, code, "缺少网格名称 name")
        elif len(name) > NAME_MAX:
            errors.add(index, code, f"网格名称过长:最多 {NAME_MAX} 个字")
        try:
            geometry, geom = _parse_geometry(feat.get("geometry"))
        except _GeometryError as exc:
            errors.add(index, code, str(exc))
            continue
        if code is not None:
            # Features with other problems still take part in the parent and overlap
            # checks so that one run reports everything; nothing is written then anyway.
            parsed.append(GridFeature(index, code, name, geometry, geom))
    return parsed


# ---------------------------------------------------------------- checks against the database
