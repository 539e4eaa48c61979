"""Lists in the API page the same way: `page`, `per_page`, `total` and a `Link` header."""

from __future__ import annotations

import re

from tests.walk import make_site

LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def links(answer) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(answer.headers["Link"])}


def walk_pages(site, who, url: str) -> tuple[list[int], int]:
    """Follow `next` from `url` to the last page: the ids seen, and the pages read."""
    seen, pages = [], 0
    while url:
        answer = site.api(who, "GET", url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        seen += [item["id"] for item in answer.json.get("requests", answer.json.get("results", []))]
        pages += 1
        url = links(answer).get("next")
    return seen, pages


def test_exchange_requests_page_with_total_and_links(database):
    site = make_site(database)
    everything = site.api("staff", "GET", "/api/v1/exchange-requests?per_page=100")
    ids = [item["id"] for item in everything.json["requests"]]
    assert everything.json["total"] == len(ids) >= 3
    assert set(links(everything)) == {"first", "last"}
    first = site.api("staff", "GET", "/api/v1/exchange-requests?per_page=2")
    assert (first.json["page"], first.json["per_page"], first.json["total"]) == (1, 2, len(ids))
    assert len(first.json["requests"]) == 2
    assert set(links(first)) == {"first", "next", "last"}
    seen, pages = walk_pages(site, "staff", "/api/v1/exchange-requests?per_page=2")
    assert seen == ids and pages == -(-len(ids) // 2)
    last = site.api("staff", "GET", links(first)["last"])
    assert set(links(last)) == {"first", "prev", "last"}
    # Filters stay on every page's links.
    submitted = site.api("staff", "GET", "/api/v1/exchange-requests?status=submitted&per_page=1")
    assert all("status=submitted" in url for url in links(submitted).values())
    assert submitted.json["total"] < len(ids)
    for bad in ("page=0", "per_page=0", "per_page=101", "page=x"):
        refused = site.api("staff", "GET", f"/api/v1/exchange-requests?{bad}")
        assert refused.status_code == 400 and set(refused.json["errors"]) <= {"page", "per_page"}


def test_search_pages_with_links(client):
    answer = client.get("/api/v1/search?q=city&per_page=2&lang=fr")
    assert answer.status_code == 200
    total = answer.json["total"]
    assert total > 2
    found = links(answer)
    assert "lang=fr" in found["next"] and "q=city" in found["next"]
    ids, pages = [], 0
    url = "/api/v1/search?q=city&per_page=2&lang=fr"
    while url:
        page = client.get(url)
        ids += [(item["kind"], item["id"]) for item in page.json["results"]]
        pages += 1
        url = links(page).get("next")
    assert len(ids) == total and len(set(ids)) == total and pages == -(-total // 2)
