"""Made once, kept in the repository: the world map's base drawing and country anchor points.

    python -m kb.maps.convert node_modules/world-atlas/countries-110m.json \\
        /usr/share/iso-codes/json/iso_3166-1.json

reads the 1:110m Natural Earth country shapes of the world-atlas npm package (TopoJSON) and
Debian's iso-codes (to name countries by their ISO 3166-1 alpha-2 code), projects them with
the Equal Earth projection into a 1000-unit-wide box, and writes ``static/img/world.svg`` (the
drawing) and ``kb/maps/anchors.json`` (a point inside each country, where corridor arcs start
and end). Nothing here runs in the app.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from kb import CHECKOUT_DIR

WIDTH = 1000.0
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2
        * math.sqrt(3)
        * lam
        * math.cos(theta)
        / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


# Places too small for the 1:110m shapes: a point at their main city (longitude, latitude).
SMALL = {
    "BB": (-59.6, 13.1),
    "BH": (50.6, 26.2),
    "CV": (-23.5, 15.0),
    "HK": (114.2, 22.3),
    "MO": (113.55, 22.2),
    "MT": (14.5, 35.9),
    "MU": (57.5, -20.2),
    "MV": (73.5, 4.2),
    "SG": (103.8, 1.35),
    # Kosovo has no ISO 3166-1 code (XK is user-assigned), so iso-codes cannot name its shape.
    "XK": (21.17, 42.67),
}

X_MAX = equal_earth(180, 0)[0]
Y_MAX = equal_earth(0, 90)[1]
SCALE = WIDTH / (2 * X_MAX)
HEIGHT = round(2 * Y_MAX * SCALE, 1)


def to_box(lon: float, lat: float) -> tuple[float, float]:
    x, y = equal_earth(lon, lat)
    return round((x + X_MAX) * SCALE, 1), round((Y_MAX - y) * SCALE, 1)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def area_and_centroid(points: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return 0.0, points[0]
    return abs(area) / 2, (round(cx / (3 * area), 1), round(cy / (3 * area), 1))


def main(topojson: str, iso_codes: str) -> None:
    topology = json.loads(Path(topojson).read_text())
    numeric = {
        c["numeric"]: c["alpha_2"] for c in json.loads(Path(iso_codes).read_text())["3166-1"]
    }
    arcs = decode_arcs(topology)
    paths, anchors = [], {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = numeric.get(str(geometry.get("id", "")).zfill(3))
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        d, best = [], (0.0, None)
        for polygon in polygons:
            for n, indexes in enumerate(polygon):
                projected = [to_box(lon, lat) for lon, lat in ring(arcs, indexes)]
                d.append("M" + "L".join(f"{x:g} {y:g}" for x, y in projected) + "Z")
                if n == 0:
                    area, centre = area_and_centroid(projected)
                    if area > best[0]:
                        best = (area, centre)
        attribute = f' data-country="{code}"' if code else ""
        paths.append(f'<path{attribute} d="{"".join(d)}"/>')
        if code and best[1]:
            anchors[code] = list(best[1])
    for code, (lon, lat) in SMALL.items():
        anchors.setdefault(code, list(to_box(lon, lat)))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}">'
        "<!-- Natural Earth 1:110m countries (public domain), via world-atlas (ISC licence, "
        "Mike Bostock); Equal Earth projection. Made by kb/maps/convert.py. -->"
        '<g fill="#dfe4ea" stroke="#ffffff" stroke-width="0.5">' + "".join(paths) + "</g></svg>\n"
    )
    (CHECKOUT_DIR / "static" / "img").mkdir(parents=True, exist_ok=True)
    (CHECKOUT_DIR / "static" / "img" / "world.svg").write_text(svg)
    data = {"width": WIDTH, "height": HEIGHT, "anchors": dict(sorted(anchors.items()))}
    (Path(__file__).parent / "anchors.json").write_text(json.dumps(data, indent=0) + "\n")
    print(f"Wrote static/img/world.svg ({len(paths)} countries) and kb/maps/anchors.json.")


if __name__ == "__main__":
    main(*sys.argv[1:3])
