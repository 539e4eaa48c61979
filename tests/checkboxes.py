"""What a page's group of checkboxes shows: the boxes ticked, the labels offered."""

from __future__ import annotations

import re


def ticked(body: str, name: str) -> set[str]:
    """The values of the boxes named `name` that are ticked."""
    return {
        re.search(r'value="([^"]*)"', box)[1]
        for box in re.findall(r"<input[^>]*>", body)
        if f'name="{name}"' in box and " checked" in box
    }


def labels(body: str, name: str) -> list[str]:
    """The labels of the boxes named `name` (their ids are `name-0`, `name-1`...), in order."""
    return re.findall(rf'<label for="{name}-\d+">([^<]*)</label>', body)
