"""Draw grid polygons as SVG paths: a map that needs no JavaScript and no tile server."""

import math
from collections.abc import Sequence
from typing import Any

from linli.geo.models import Grid

WIDTH = 1000.0


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [poly[0] for poly in geometry["coordinates"]]


def map_frame(grids: Sequence[Grid]) -> dict[str, float]:
    """Equirectangular frame with cos(lat), so shapes keep their proportions at 30°N; the
    page's script inverts it to turn a tap into lon/lat."""
    min_lon = min(g.min_lon for g in grids)
    max_lon = max(g.max_lon for g in grids)
    min_lat = min(g.min_lat for g in grids)
    max_lat = max(g.max_lat for g in grids)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / max((max_lon - min_lon) * kx, 1e-9)
    height = round(max(max_lat - min_lat, 1e-9) * scale, 1)
    return {"min_lon": min_lon, "max_lat": max_lat, "kx": kx, "scale": scale, "height": height}


def project_grids(grids: Sequence[Grid]) -> tuple[list[dict[str, Any]], float, float]:
    if not grids:
        return [], WIDTH, WIDTH
    frame = map_frame(grids)
    min_lon, max_lat, kx, scale = frame["min_lon"], frame["max_lat"], frame["kx"], frame["scale"]
    height = frame["height"]

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - min_lon) * kx * scale, 1), round((max_lat - lat) * scale, 1)

    shapes = []
    for g in grids:
        parts = []
        for ring in _rings(g.geometry):
            pts = [xy(lon, lat) for lon, lat in ring]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        cx, cy = xy((g.min_lon + g.max_lon) / 2, (g.min_lat + g.max_lat) / 2)
        shapes.append(
            {
                "id": g.pk,
                "path": " ".join(parts),
                "cx": cx,
                "cy": cy,
                "hue": (g.community_id * 67) % 360,
                "short": g.code,
            }
        )
    return shapes, WIDTH, height
