"""The corridor map: arcs from origin to destination over a world drawing, made on the server
as SVG (no tiles, no scripts). Country anchors and the drawing come from kb/maps/convert.py."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Arc:
    origin: str  # ISO 3166-1 alpha-2
    destination: str
    count: int  # practices on the corridor
    href: str
    label: str  # the text alternative, e.g. "Mexico → Canada: 5 practices"


@dataclass(frozen=True)
class DrawnArc:
    arc: Arc
    d: str  # the SVG path
    width: float
    ends: tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    arcs: list[DrawnArc]
    missing: list[Arc]  # corridors whose ends the map cannot place


@lru_cache(maxsize=1)
def _anchors() -> dict:
    return json.loads((Path(__file__).parent / "anchors.json").read_text())


def draw(arcs: list[Arc]) -> Map:
    """Each arc a curve bulging to the left of its direction (so A->B and B->A do not
    overlap), its width growing with the square root of its count; the widest drawn first."""
    data = _anchors()
    anchors = data["anchors"]
    top = max((a.count for a in arcs), default=1)
    drawn, missing = [], []
    for arc in sorted(arcs, key=lambda a: -a.count):
        if arc.origin not in anchors or arc.destination not in anchors:
            missing.append(arc)
            continue
        (x0, y0), (x1, y1) = anchors[arc.origin], anchors[arc.destination]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1.0
        bend = min(0.25 * length, 120.0)
        cx, cy = (x0 + x1) / 2 + dy / length * bend, (y0 + y1) / 2 - dx / length * bend
        width = 1.2 + 4.8 * math.sqrt(arc.count / top)
        d = f"M{x0:g} {y0:g}Q{cx:.1f} {cy:.1f} {x1:g} {y1:g}"
        drawn.append(DrawnArc(arc, d, round(width, 1), ((x0, y0), (x1, y1))))
    return Map(data["width"], data["height"], drawn, missing)
