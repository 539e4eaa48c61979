"""The world outline the map is drawn on, and where a point falls on it.

The outline is built once (`build_outline.py`) into `data/countries-110m.json` and read once per
process; the frame below is shared by the build and by the markers placed at run time, so the two
always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hub.atlas.projection import equal_earth

OUTLINE_FILE = Path(__file__).parent / "data" / "countries-110m.json"
MAP_WIDTH = 1000  # map units; the page scales the drawing to its column
# The frame's edges in latitude: no member city lies north of 84° or south of 58° (Cape Horn
# is at 56°), and cutting Antarctica saves a fifth of the height.
NORTH = 84.0
SOUTH = -58.0


@dataclass(frozen=True)
class Frame:
    """The part of the projected world the map shows, in map units."""

    north: float
    south: float
    width: float

    @property
    def scale(self) -> float:
        east, _ = equal_earth(180.0, 0.0)
        return self.width / (2 * east)

    @property
    def top(self) -> float:
        return equal_earth(0.0, self.north)[1]

    @property
    def height(self) -> float:
        return (self.top - equal_earth(0.0, self.south)[1]) * self.scale

    def place(self, longitude: float, latitude: float) -> tuple[float, float]:
        """A point in degrees as (x, y) on the map, y growing southwards as in SVG."""
        x, y = equal_earth(longitude, latitude)
        return x * self.scale + self.width / 2, (self.top - y) * self.scale


FRAME = Frame(north=NORTH, south=SOUTH, width=MAP_WIDTH)


@dataclass(frozen=True)
class Outline:
    path: str  # SVG path data in map units
    source: str
    licence: str


@cache
def world_outline() -> Outline:
    data = json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))
    return Outline(path=data["path"], source=data["source"], licence=data["licence"])
