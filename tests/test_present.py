"""Presentation mode: one slide per practice after a title slide, each QR code decoding to the
practice's permanent link, keyboard navigation as an enhancement, a handout when printed."""

from __future__ import annotations

import re

import numpy as np
import pytest
import zxingcpp

COLLECTION = "/{lang}/collections/americas-launch-2021/present"
QR = r"<svg role=\"img\"[^>]*class=\"qr\">.*?</svg>"


def rasterise(svg: str) -> np.ndarray:
    """segno's SVG (one path of horizontal runs, one unit per module) as a black-on-white image."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    image = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, a, b in re.findall(
        r"([MmHh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", re.search(r' d="([^"]+)"', svg).group(1)
    ):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a horizontal run of dark modules on row y
            image[int(y), int(x) : int(x + float(a))] = 0
            x += float(a)
    return np.kron(image, np.ones((8, 8), dtype=np.uint8))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_one_slide_per_practice_after_a_title_slide(seeded_client, lang):
    collection = seeded_client.get(f"/{lang}/collections/americas-launch-2021").get_data(
        as_text=True
    )
    practices = len(re.findall(r'<article class="card', collection))
    html = seeded_client.get(COLLECTION.format(lang=lang)).get_data(as_text=True)
    slides = re.findall(r'<section class="slide[^"]*" id="slide-(\d+)"', html)
    assert slides == [str(n) for n in range(1, practices + 2)], "a URL (#slide-n) for each"
    assert f"Slide 1 of {practices + 1}" in html or f"Diapositiva 1 de {practices + 1}" in html
    assert 'src="/static/js/present.js"' in html and "<main" in html
    assert f'lang="{lang}"' in html


def test_each_qr_code_decodes_to_the_permanent_link(seeded_client):
    html = seeded_client.get(COLLECTION.format(lang="en")).get_data(as_text=True)
    sections = re.split(r'<section class="slide', html)[2:]
    assert sections
    for section in sections:
        link = re.search(r'<p class="slide__link"><a href="([^"]+)">', section).group(1)
        assert re.fullmatch(r"http://127\.0\.0\.1:5000/p/\d+", link)
        svg = re.search(QR, section, re.S).group(0)
        assert 'role="img"' in svg and "<title>" in svg
        (decoded,) = zxingcpp.read_barcodes(rasterise(svg))
        assert decoded.text == link
    title_slide = re.split(r'<section class="slide', html)[1]
    (decoded,) = zxingcpp.read_barcodes(rasterise(re.search(QR, title_slide, re.S).group(0)))
    assert decoded.text.endswith("/en/collections/americas-launch-2021")


def test_the_handout_carries_each_practices_citation(seeded_client):
    html = seeded_client.get(COLLECTION.format(lang="es")).get_data(as_text=True)
    citations = re.findall(r'<p class="slide__citation"><strong>[^<]+</strong> ([^<]+)</p>', html)
    assert citations and all("Recuperado el" in c and "/p/" in c for c in citations)


def test_an_unknown_collection_has_no_presentation(seeded_client):
    assert seeded_client.get("/en/collections/nope/present").status_code == 404


def test_the_handout_pdf_has_a_page_per_slide_and_reads_nothing_from_elsewhere(seeded_client):
    import io

    import pypdf

    html = seeded_client.get(COLLECTION.format(lang="es")).get_data(as_text=True)
    titles = re.findall(r'<h2 id="slide-\d+-title"[^>]*>([^<]+)</h2>', html)
    response = seeded_client.get("/es/collections/americas-launch-2021/handout.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == len(titles) + 1, "the title page, then one practice per page"
    first = " ".join(pages[1].extract_text().split())
    assert " ".join(titles[0].split()[:3]) in first
    assert "Cítese como" in first and "Recuperado el" in " ".join(
        p.extract_text() for p in pages[1:3]
    )


def test_the_pdf_maker_reads_only_this_sites_static_files(seeded_app):
    from kb.web.present import LocalFiles

    with seeded_app.test_request_context("/"):
        fetcher = LocalFiles()
        assert fetcher.fetch("http://localhost/static/css/kb.css").status == 200
        for url in (
            "https://example.org/x.css",
            "http://localhost/static/../kb/config.py",
            "file:///etc/passwd",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
