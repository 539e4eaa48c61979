"""The network page in the reader's language: the map's markers and the four charts."""

from __future__ import annotations

from dataclasses import dataclass

from hub import vocab
from hub.atlas import queries
from hub.atlas.charts import BarChart, Row, Series, bar_chart
from hub.atlas.outline import FRAME, Outline, world_outline
from hub.atlas.queries import CityPoint, NetworkFigures
from hub.i18n import (
    RTL_LANGUAGES,
    country_name,
    current_language,
    language_name,
    localized,
    localized_language,
)
from hub.i18n import gettext as _

# A marker's radius in map units (the map is 1,000 wide) by size band: its area roughly doubles
# from one band to the next, so a metropolis stands out without hiding its neighbours.
MARKER_RADIUS = {"small": 4.0, "medium": 5.5, "large": 7.5, "metropolis": 10.5}

# Size bands from light to dark, as the bands grow; one blue where a chart has one series.
SIZE_BAND_COLOURS = {
    "small": "#74a9cf",
    "medium": "#3690c0",
    "large": "#0570b0",
    "metropolis": "#023858",
}
SINGLE_COLOUR = "#0570b0"
CASE_COLOUR = "#0570b0"
WEBINAR_COLOUR = "#d95f02"


@dataclass(frozen=True)
class Marker:
    city: CityPoint
    name: str
    band: vocab.SizeBand
    x: float
    y: float
    radius: float
    colour: str


@dataclass(frozen=True)
class CityMap:
    outline: Outline
    width: float
    height: float
    markers: list[Marker]  # largest first, so smaller markers stay on top and clickable
    bands: list[tuple[vocab.SizeBand, float, str]]  # the legend: band, radius, colour


@dataclass(frozen=True)
class NetworkPage:
    cities: list[tuple[CityPoint, str, vocab.SizeBand]]  # by name: city, its name, its band
    map: CityMap
    charts: list[BarChart]


def network_page(lang: str) -> NetworkPage:
    figures = queries.network_figures()
    rtl = lang in RTL_LANGUAGES
    named = [
        (city, city.display_name(lang), vocab.size_band(city.population)) for city in figures.cities
    ]
    return NetworkPage(
        cities=named,
        map=city_map(figures.cities, lang),
        charts=[
            cities_by_region(figures, rtl),
            cases_by_theme(figures, rtl),
            exchanges_by_year(figures, rtl),
            content_languages(figures, rtl),
        ],
    )


def city_map(cities: list[CityPoint], lang: str) -> CityMap:
    markers = []
    for city in cities:
        band = vocab.size_band(city.population)
        x, y = FRAME.place(city.longitude, city.latitude)
        markers.append(
            Marker(
                city=city,
                name=_(
                    "%(city)s, %(country)s",
                    city=city.display_name(lang),
                    country=country_name(city.country),
                ),
                band=band,
                x=round(x, 1),
                y=round(y, 1),
                radius=MARKER_RADIUS[band.slug],
                colour=SIZE_BAND_COLOURS[band.slug],
            )
        )
    markers.sort(key=lambda marker: -marker.radius)
    bands = [
        (band, MARKER_RADIUS[band.slug], SIZE_BAND_COLOURS[band.slug]) for band in vocab.SIZE_BANDS
    ]
    return CityMap(world_outline(), FRAME.width, round(FRAME.height, 1), markers, bands)


def cities_by_region(figures: NetworkFigures, rtl: bool) -> BarChart:
    tally: dict[str, dict[str, int]] = {region: {} for region in vocab.REGIONS}
    for city in figures.cities:
        bands = tally.setdefault(city.region, {})
        slug = vocab.size_band(city.population).slug
        bands[slug] = bands.get(slug, 0) + 1
    series = [Series(str(band.label), SIZE_BAND_COLOURS[band.slug]) for band in vocab.SIZE_BANDS]
    rows = [
        Row(
            str(vocab.REGIONS.get(region, region)),
            [bands.get(band.slug, 0) for band in vocab.SIZE_BANDS],
        )
        for region, bands in tally.items()
    ]
    return bar_chart(
        "cities-by-region", _("Member cities by region and size"), series, rows, rtl=rtl
    )


def cases_by_theme(figures: NetworkFigures, rtl: bool) -> BarChart:
    rows = [
        Row(localized(theme.names), [theme.cases], _other_language(theme.names))
        for theme in figures.themes
    ]
    series = [Series(_("Case studies"), SINGLE_COLOUR)]
    return bar_chart("cases-by-theme", _("Published case studies by theme"), series, rows, rtl=rtl)


def exchanges_by_year(figures: NetworkFigures, rtl: bool) -> BarChart:
    rows = [Row(str(year), [count]) for year, count in figures.exchanges_by_year.items()]
    series = [Series(_("Exchanges"), SINGLE_COLOUR)]
    return bar_chart(
        "exchanges-by-year", _("Peer exchanges completed per year"), series, rows, rtl=rtl
    )


def content_languages(figures: NetworkFigures, rtl: bool) -> BarChart:
    rows = [
        Row(language_name(row.language), [row.cases, row.webinars]) for row in figures.languages
    ]
    series = [Series(_("Case studies"), CASE_COLOUR), Series(_("Webinar records"), WEBINAR_COLOUR)]
    return bar_chart("content-languages", _("Languages of the content"), series, rows, rtl=rtl)


def _other_language(names: dict) -> str | None:
    """The language of a name that falls back from the reader's, for the label's `lang`."""
    used = localized_language(names)
    return None if used == current_language() else used
