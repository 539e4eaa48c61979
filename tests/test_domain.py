"""Rules with one home: size bands, reading time, Markdown sanitizing."""

import pytest

from hub.markdown import render_markdown
from hub.publishing.models import reading_minutes
from hub.vocab import size_band


@pytest.mark.parametrize(
    ("population", "band"),
    [
        (1, "small"),
        (99_999, "small"),
        (100_000, "medium"),
        (117_237, "medium"),  # Kristiansand
        (499_999, "medium"),
        (500_000, "large"),
        (1_208_333, "large"),  # Mombasa
        (1_999_999, "large"),
        (2_000_000, "metropolis"),
        (8_961_989, "metropolis"),  # London
    ],
)
def test_size_band_is_derived_from_population(population, band):
    assert size_band(population).slug == band


def test_reading_time_is_never_zero_minutes():
    assert reading_minutes("") == 1
    assert reading_minutes(None, "one two three") == 1


def test_reading_time_grows_with_the_text():
    assert reading_minutes("word " * 200) == 1
    assert reading_minutes("word " * 201) == 2
    assert reading_minutes("كلمة " * 450) == 3  # Arabic words count as words


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<iframe src=https://example.org></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_output_has_nothing_executable(source):
    html = str(render_markdown(source)).lower()
    for danger in ("<script", "onerror", "javascript:", "data:", "<iframe", "style="):
        assert danger not in html


def test_markdown_keeps_formatting_and_makes_links_safe():
    html = str(render_markdown("## Results\n\n**Bold** and [a link](https://example.org)."))
    assert "<h2>Results</h2>" in html
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
