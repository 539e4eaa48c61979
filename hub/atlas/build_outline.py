"""Build `data/countries-110m.json`, the map's world outline, from Natural Earth's 1:110 million
countries as the geopandas 0.14.4 wheel ships them (`geopandas/datasets/naturalearth_lowres`).

Run once, when the outline should change, and commit the result (see `data/README.md`):

    .venv/bin/pip download geopandas==0.14.4 --no-deps -d /tmp/outline
    .venv/bin/python -m hub.atlas.build_outline /tmp/outline/geopandas-0.14.4-py3-none-any.whl

The shapefile is read straight out of the wheel: no geopandas, GDAL or shapely is needed.
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from hub.atlas.outline import FRAME, OUTLINE_FILE, Frame

SHAPEFILE = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp"
POLYGON = 5
SHAPEFILE_HEADER = 100  # bytes
# Points closer than this to the simplified line (in map units, the map being 1,000 wide) are
# dropped: about half a pixel at the size the page shows the map.
TOLERANCE = 0.6
# A ring smaller than this on both axes (map units) is a speck at the page's size.
SMALLEST_RING = 1.2

Ring = list[tuple[float, float]]


def read_rings(shp: bytes) -> Iterator[list[tuple[float, float]]]:
    """Every ring of every polygon in an ESRI shapefile, as (longitude, latitude) points."""
    offset = SHAPEFILE_HEADER
    while offset < len(shp):
        _number, words = struct.unpack(">ii", shp[offset : offset + 8])
        content = shp[offset + 8 : offset + 8 + words * 2]
        offset += 8 + words * 2
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type != POLYGON:
            continue
        parts, points = struct.unpack("<ii", content[36:44])
        starts = list(struct.unpack(f"<{parts}i", content[44 : 44 + 4 * parts]))
        coordinates = struct.unpack(f"<{2 * points}d", content[44 + 4 * parts :][: 16 * points])
        pairs = list(zip(coordinates[0::2], coordinates[1::2], strict=True))
        for start, end in zip(starts, [*starts[1:], points], strict=True):
            yield pairs[start:end]


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker: the fewest points that stay within `tolerance` of the line."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            x, y = points[index]
            if length:
                d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            else:
                d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_path(ring: Ring) -> str:
    """One closed ring as SVG path data, in relative steps of a tenth of a map unit."""
    steps = [(round(x * 10), round(y * 10)) for x, y in ring]
    (x0, y0), parts = steps[0], []
    previous = steps[0]
    for point in steps[1:]:
        if point != previous:
            parts.append(f"{_signed(point[0] - previous[0])}{_signed(point[1] - previous[1])}")
            previous = point
    return f"M{_tenths(x0)}{_signed(y0)}l" + "".join(parts).lstrip() + "z"


def _tenths(value: int) -> str:
    text = f"{value / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _signed(value: int) -> str:
    text = _tenths(value)
    return text if text.startswith("-") else f" {text}"


def outline_path(rings: Iterator[Ring], frame: Frame) -> str:
    paths = []
    for ring in rings:
        if max(latitude for _, latitude in ring) < frame.south:
            continue  # Antarctica lies below the map's frame
        projected = [frame.place(longitude, latitude) for longitude, latitude in ring]
        xs, ys = [x for x, _ in projected], [y for _, y in projected]
        if max(xs) - min(xs) < SMALLEST_RING and max(ys) - min(ys) < SMALLEST_RING:
            continue
        simplified = simplify(projected, TOLERANCE)
        if len(simplified) >= 3:
            paths.append(ring_path(simplified))
    return "".join(paths)


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shp = archive.read(SHAPEFILE)
    outline = {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries "
        "(naturalearthdata.com), as shipped by geopandas 0.14.4 (naturalearth_lowres)",
        "licence": "public domain",
        "projection": "Equal Earth",
        "path": outline_path(read_rings(shp), FRAME),
    }
    Path(OUTLINE_FILE).write_text(json.dumps(outline, ensure_ascii=False, indent=0) + "\n")
    print(f"{OUTLINE_FILE}: {len(outline['path']):,} characters of path data")


if __name__ == "__main__":
    main(sys.argv[1])
