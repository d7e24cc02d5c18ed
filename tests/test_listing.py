"""The practice list: filters, their counts checked against the database, chips, sort, pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kb.extensions import db
from kb.models import Country, Practice, Status


def published() -> list[Practice]:
    return list(db.session.scalars(select(Practice).where(Practice.status == Status.published)))


def involved(p: Practice) -> set[str]:
    return p.involved_country_codes


def result_count(html: str) -> int:
    match = re.search(r'class="results__count"[^>]*>\s*(\d+) (?:practices?|prácticas?)', html)
    return int(match.group(1)) if match else 0


def facet_count(html: str, href_part: str) -> int:
    """The number shown beside the facet link whose URL contains ``href_part``."""
    for block in re.findall(r'<li>\s*<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        href, inner = block
        if href_part in href.replace("&amp;", "&"):
            return int(re.search(r'class="facet__count">([\d,.]+)<', inner).group(1))
    raise AssertionError(f"no facet link with {href_part}")


def test_theme_filter_shows_exactly_the_practices_with_that_theme(seeded_client):
    expected = [p for p in published() if "legal-frameworks" in {t.slug for t in p.themes}]
    html = seeded_client.get("/en/practices/?theme=legal-frameworks").get_data(as_text=True)
    assert result_count(html) == len(expected) > 0


def test_filters_combine_or_within_a_dimension_and_and_across(seeded_client):
    def has(p, theme):
        return theme in {t.slug for t in p.themes}

    expected = [
        p
        for p in published()
        if (has(p, "recruitment-fees") or has(p, "covid-19-adaptations"))
        and 2 in {x.number for x in p.pillars}
        and "CA" in involved(p)
    ]
    html = seeded_client.get(
        "/en/practices/?theme=recruitment-fees&theme=covid-19-adaptations&pillar=2&country=CA"
    ).get_data(as_text=True)
    assert result_count(html) == len(expected) > 0


def regions_of(p: Practice) -> set[str]:
    return {db.session.get(Country, code).region.slug for code in p.involved_country_codes}


def test_facet_counts_match_the_database_for_the_same_filters(seeded_client):
    html = seeded_client.get("/en/practices/?region=americas").get_data(as_text=True)
    americas = [p for p in published() if "americas" in regions_of(p)]
    assert result_count(html) == len(americas) >= 20
    for theme in ("public-employment-services", "legal-frameworks", "bilateral-agreements"):
        expected = sum(theme in {t.slug for t in p.themes} for p in americas)
        assert facet_count(html, f"theme={theme}") == expected, theme
    for number in (1, 2, 3, 4):
        expected = sum(number in {x.number for x in p.pillars} for p in americas)
        assert facet_count(html, f"pillar={number}") == expected, number
    # A value of the filtered dimension counts without that dimension's own filter.
    expected_asia = sum("asia-pacific" in regions_of(p) for p in published())
    assert facet_count(html, "region=asia-pacific") == expected_asia > 0


def test_actor_filter_matches_organisation_types(seeded_client):
    expected = [
        p
        for p in published()
        if any(
            link.organisation.actor_type.slug == "workers-organisation"
            for link in p.organisation_links
        )
    ]
    html = seeded_client.get("/en/practices/?actor=workers-organisation").get_data(as_text=True)
    assert result_count(html) == len(expected) > 0


def test_year_filter_keeps_practices_active_in_the_period(seeded_client):
    def active(p, start, end):
        return (p.start_year is None or p.start_year <= end) and (
            p.end_year is None or p.end_year >= start
        )

    expected = [p for p in published() if active(p, 2020, 2021)]
    html = seeded_client.get("/en/practices/?year_from=2020&year_to=2021").get_data(as_text=True)
    assert result_count(html) == len(expected)


def test_active_filters_show_as_removable_chips(seeded_client):
    html = seeded_client.get("/en/practices/?theme=legal-frameworks&country=MX").get_data(
        as_text=True
    )
    chips = re.findall(r'<a class="chip chip--active" href="([^"]+)">', html)
    assert len(chips) == 2
    removes_theme = [c for c in chips if "theme=" not in c]
    assert removes_theme and "country=MX" in removes_theme[0]


def test_unknown_filter_values_are_ignored_with_a_notice(seeded_client):
    response = seeded_client.get("/es/practices/?theme=nonsense&pillar=9&country=XX&year_from=abc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No hay ningún valor «nonsense» para el filtro tema" in html
    assert (
        html.count(
            "<li>",
            html.index("notice--warning"),
            html.index("</div>", html.index("notice--warning")),
        )
        == 4
    )
    assert result_count(html) == len(published())


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "9999999999"])
def test_a_bad_page_number_is_a_400_page(seeded_client, page):
    response = seeded_client.get(f"/en/practices/?page={page}")
    assert response.status_code == 400
    assert "page number" in response.get_data(as_text=True)


def test_a_page_past_the_end_is_a_404(seeded_client):
    assert seeded_client.get("/en/practices/?page=50").status_code == 404


def test_pages_split_the_list_without_overlap(seeded_client):
    ids = lambda html: re.findall(r'href="/en/practices/(\d+)-', html)  # noqa: E731
    pages = [seeded_client.get("/en/practices/").get_data(as_text=True)]
    while 'rel="next"' in pages[-1]:
        pages.append(
            seeded_client.get(f"/en/practices/?page={len(pages) + 1}").get_data(as_text=True)
        )
    assert len(ids(pages[0])) == 20 and len(pages) == -(-len(published()) // 20)
    seen = [pid for page in pages for pid in ids(page)]
    assert len(seen) == len(set(seen)) == len(published())
    assert 'rel="prev"' in pages[1] and 'rel="prev"' not in pages[0]


def test_sorting_by_newest_puts_the_latest_start_year_first(seeded_client):
    html = seeded_client.get("/en/practices/?sort=newest").get_data(as_text=True)
    first_id = int(re.search(r'href="/en/practices/(\d+)-', html).group(1))
    latest = max(p.start_year or 0 for p in published())
    assert db.session.get(Practice, first_id).start_year == latest


def test_title_sort_follows_the_page_language(seeded_client):
    for lang in ("en", "es"):
        html = seeded_client.get(f"/{lang}/practices/").get_data(as_text=True)
        titles = re.findall(r'<h3 class="card__title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)
        assert titles == sorted(titles, key=str.lower), lang


def test_unknown_sort_falls_back_to_title_with_a_notice(seeded_client):
    html = seeded_client.get("/en/practices/?sort=popular").get_data(as_text=True)
    assert "Unknown sort order" in html


def test_drafts_are_never_listed(app, client):
    from tests.factories import make_practice

    make_practice(id=1, title="Visible practice")
    make_practice(id=2, title="Hidden draft", status=Status.draft)
    db.session.commit()
    html = client.get("/en/practices/").get_data(as_text=True)
    assert "Visible practice" in html and "Hidden draft" not in html
    assert client.get("/en/practices/2").status_code == 404


def test_links_carry_only_the_arguments_the_page_reads(seeded_client):
    junk = "x" * 20_000
    response = seeded_client.get(
        f"/en/practices/?theme=legal-frameworks&utm_source={junk}&page=1&sort=title&zzz=1"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "utm_source" not in html and "zzz" not in html and junk not in html
    assert len(html) < 200_000
    assert 'href="/es/practices/?theme=legal-frameworks&amp;sort=title&amp;page=1"' in html


def test_a_huge_query_is_not_copied_into_every_link(seeded_client):
    huge = "migrant " * 8_000
    response = seeded_client.get("/en/search", query_string={"q": huge, "utm": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert max(len(href) for href in hrefs) < 2_000, "a link would carry 64 KB"
    assert "utm=" not in html
