"""The corridor map: one arc per corridor, each a link to its page with a text alternative,
drawn on the server over a drawing shipped with the project; nothing loaded from elsewhere."""

from __future__ import annotations

import re

from kb import CHECKOUT_DIR, maps


def arcs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="corridor-map__arc">', html)


def test_the_corridors_page_has_one_linked_arc_per_corridor(seeded_client):
    html = seeded_client.get("/en/corridors/").get_data(as_text=True)
    cells = r'<td class="heat-\d"><a href="(/en/corridors/[A-Z]{2}-[A-Z]{2})"'
    matrix_links = set(re.findall(cells, html))
    links = arcs(html)
    assert links and len(links) == len({href for href, _ in links}) == len(matrix_links)
    assert {href for href, _ in links} == matrix_links
    assert all(re.fullmatch(r".+ to .+: \d+ practices?", label) for _href, label in links)


def test_the_map_loads_nothing_from_elsewhere(seeded_client):
    html = seeded_client.get("/es/corridors/").get_data(as_text=True)
    svg = re.search(r'<figure class="corridor-map">.*?</figure>', html, re.S).group(0)
    assert "http" not in svg, "no tiles or scripts from elsewhere"
    assert 'href="/static/img/world.svg"' in svg
    drawing = (CHECKOUT_DIR / "static" / "img" / "world.svg").read_text()
    assert re.findall(r"https?://[^\s\"']+", drawing) == ["http://www.w3.org/2000/svg"]
    assert "<script" not in drawing and drawing.count("<path") > 150
    assert all(re.fullmatch(r".+ a .+: \d+ prácticas?", label) for _href, label in arcs(html))


def test_a_country_page_maps_its_corridors_and_the_slides_their_own(seeded_client):
    html = seeded_client.get("/en/countries/MX").get_data(as_text=True)
    assert arcs(html) and all("MX" in href for href, _ in arcs(html))
    slides = seeded_client.get("/en/collections/americas-launch-2021/present").get_data(
        as_text=True
    )
    title_slide = re.split(r'<section class="slide', slides)[1]
    assert arcs(title_slide)


def test_arcs_in_both_directions_do_not_overlap_and_unknown_places_are_reported():
    there = maps.Arc("MX", "CA", 3, "/x", "x")
    back = maps.Arc("CA", "MX", 1, "/y", "y")
    nowhere = maps.Arc("MX", "ZZ", 1, "/z", "z")
    drawn = maps.draw([there, back, nowhere])
    assert [a.arc for a in drawn.arcs] == [there, back] and drawn.missing == [nowhere]
    control = [re.search(r"Q([\d.]+) ([\d.]+)", a.d).groups() for a in drawn.arcs]
    assert control[0] != control[1]
    assert drawn.arcs[0].width > drawn.arcs[1].width
