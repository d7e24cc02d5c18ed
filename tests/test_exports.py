"""Taking the data away: a practice list or a search, filters included, as CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from kb.extensions import db
from kb.models import Practice, Status
from tests.factories import make_practice

BOM = b"\xef\xbb\xbf"


def published() -> list[Practice]:
    return list(db.session.scalars(select(Practice).where(Practice.status == Status.published)))


def count_on_page(html: str) -> int:
    match = re.search(r'class="results__count"[^>]*>\s*(\d+) ', html)
    return int(match.group(1)) if match else 0


def ids_on_page(html: str, lang: str) -> list[int]:
    return [
        int(n) for n in re.findall(rf'class="card__title"><a href="/{lang}/practices/(\d+)', html)
    ]


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_filtered_list_downloads_as_csv_with_exactly_the_practices_it_counts(seeded_client):
    expected = {p.id for p in published() if "MX" in p.involved_country_codes}
    html = seeded_client.get("/es/practices/?country=MX").get_data(as_text=True)
    rows = read_csv(seeded_client.get("/es/practices/export.csv?country=MX"))

    assert len(rows) == count_on_page(html) == len(expected) > 20
    assert {int(row["ID"]) for row in rows} == expected
    # In the page's order, page one first.
    assert [int(row["ID"]) for row in rows[:20]] == ids_on_page(html, "es")
    # Headers and names in the page's language, accents intact.
    assert all("México" in row["Países"].split("; ") for row in rows)
    assert {"Título en inglés", "Título en español", "Enlace permanente"} <= set(rows[0])
    first = db.session.get(Practice, int(rows[0]["ID"]))
    assert rows[0]["Título en español"] == first.translations["es"].title
    assert rows[0]["Enlace permanente"] == f"http://127.0.0.1:5000/p/{first.id}"


def test_a_search_downloads_the_hits_it_counts_in_rank_order(seeded_client):
    query = "q=recruitment&pillar=2"
    html = seeded_client.get(f"/en/search?{query}").get_data(as_text=True)
    rows = read_csv(seeded_client.get(f"/en/search/export.csv?{query}"))

    assert len(rows) == count_on_page(html) > 0
    assert [int(row["ID"]) for row in rows[:20]] == ids_on_page(html, "en")
    pillar_two = {p.id for p in published() if 2 in {x.number for x in p.pillars}}
    assert {int(row["ID"]) for row in rows} <= pillar_two


def test_a_practice_row_holds_what_a_researcher_needs(seeded_client):
    rows = read_csv(seeded_client.get("/en/practices/export.csv"))
    assert len(rows) == len(published())
    assert list(rows[0]) == [
        "ID",
        "Permanent link",
        "Title in English",
        "Title in Spanish",
        "Corridors",
        "Countries",
        "Provinces or states",
        "Themes",
        "Pillars",
        "Sectors",
        "Organisations",
        "Start year",
        "End year",
        "Implementation status",
        "Addresses women migrant workers",
        "Evaluation types",
        "Sources",
        "Last reviewed",
    ]
    practice = next(p for p in published() if len(p.corridors) > 1 and len(p.sources) > 1)
    row = next(row for row in rows if row["ID"] == str(practice.id))
    assert len(row["Corridors"].split("; ")) == len(practice.corridors)
    assert len(row["Sources"].split("; ")) == len(practice.sources)
    assert practice.sources[0].title in row["Sources"]
    assert row["Start year"] == str(practice.start_year or "")
    assert row["Addresses women migrant workers"] in ("Yes", "No")
    with_orgs = next(r for r in rows if r["Organisations"])
    assert re.search(r" · (implementer|partner|funder)\b", with_orgs["Organisations"])


def test_the_spreadsheet_opens_with_accents_intact(seeded_client):
    html = seeded_client.get("/es/practices/?country=MX&theme=legal-frameworks").get_data(
        as_text=True
    )
    response = seeded_client.get("/es/practices/export.xlsx?country=MX&theme=legal-frameworks")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    header, *rows = read_xlsx(response)
    assert header[:4] == ["ID", "Enlace permanente", "Título en inglés", "Título en español"]
    assert len(rows) == count_on_page(html) > 0
    assert [row[0] for row in rows[:20]] == ids_on_page(html, "es")
    countries = header.index("Países")
    assert all("México" in row[countries] for row in rows)


def test_the_json_download_says_what_was_asked_and_holds_lists_as_arrays(seeded_client):
    response = seeded_client.get("/en/search/export.json?q=recruitment&country=MX")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    assert data["query"] == "recruitment"
    assert data["filters"] == {"country": ["MX"]}
    assert datetime.fromisoformat(data["generated_at"])
    html = seeded_client.get("/en/search?q=recruitment&country=MX").get_data(as_text=True)
    assert data["count"] == len(data["practices"]) == count_on_page(html) > 0
    item = data["practices"][0]
    assert item["url"] == f"http://127.0.0.1:5000/p/{item['id']}"
    assert {"code": "MX", "name": "Mexico"} in item["countries"]
    assert isinstance(item["themes"], list) and isinstance(item["sources"], list)
    assert {"title", "url"} <= set(item["sources"][0])


def test_downloads_are_attachments_with_a_telling_file_name(seeded_client):
    for fmt in ("csv", "xlsx", "json"):
        response = seeded_client.get(f"/en/practices/export.{fmt}?theme=legal-frameworks")
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(rf'attachment; filename="kb-practices-en-[\d-]+\.{fmt}"', disposition)


def test_the_links_sit_beside_the_count_and_name_their_format(seeded_client):
    html = seeded_client.get("/en/practices/?theme=legal-frameworks").get_data(as_text=True)
    count = count_on_page(html)
    links = re.findall(r'<a href="([^"]*export\.(\w+)[^"]*)" download aria-label="([^"]+)"', html)
    assert [fmt for _href, fmt, _label in links] == ["csv", "xlsx", "json"]
    assert links[0][2] == f"Download these {count} practices as CSV"
    rows = read_csv(seeded_client.get(links[0][0].replace("&amp;", "&")))
    assert len(rows) == count

    found = seeded_client.get("/es/search?q=contratación&pillar=1").get_data(as_text=True)
    href = re.search(r'<a href="([^"]*search/export\.csv[^"]*)"', found).group(1)
    assert "q=contrataci%C3%B3n" in href and "pillar=1" in href
    assert len(read_csv(seeded_client.get(href.replace("&amp;", "&")))) == count_on_page(found)


@pytest.mark.parametrize(
    "path",
    [
        "/en/practices/export.csv?theme=no-such-theme",
        "/en/practices/export.csv?country=ZZ&year_from=soon",
        "/en/practices/export.json?sort=backwards&pillar=9",
        "/en/search/export.csv?q=recruitment&corridor=nowhere&sort=%3D1",
        "/en/search/export.xlsx?q=%22unclosed&theme=%3Dcmd",
    ],
)
def test_a_bad_filter_is_ignored_as_on_the_page(seeded_client, path):
    assert seeded_client.get(path).status_code == 200


def test_a_bad_filter_downloads_what_the_page_counts(seeded_client):
    rows = read_csv(seeded_client.get("/en/practices/export.csv?theme=no-such-theme"))
    assert len(rows) == len(published())
    assert seeded_client.get("/en/practices/export.csv?page=abc").status_code == 400
    assert seeded_client.get("/en/practices/export.txt").status_code == 404


def test_a_selection_over_the_cap_is_refused_with_a_clear_message(seeded_client, monkeypatch):
    monkeypatch.setitem(seeded_client.application.config, "EXPORT_MAX_ROWS", 3)
    response = seeded_client.get("/en/practices/export.csv")
    assert response.status_code == 400
    assert "a download holds at most 3" in response.get_data(as_text=True)
    page = seeded_client.get("/en/practices/").get_data(as_text=True)
    assert "Too many practices to download at once" in page
    assert "export.csv" not in page


def test_an_empty_search_downloads_the_list_with_its_filters(seeded_client):
    rows = read_csv(seeded_client.get("/en/search/export.csv?q=&theme=legal-frameworks"))
    html = seeded_client.get("/en/practices/?theme=legal-frameworks").get_data(as_text=True)
    assert len(rows) == count_on_page(html) > 0


def test_practices_are_loaded_in_bulk_not_one_query_per_row(seeded_client):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = read_csv(seeded_client.get("/en/practices/export.csv"))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(rows) > 30
    assert len(statements) < 30


def test_formula_looking_text_stays_text(app, client):
    make_practice(1, '=HYPERLINK("http://evil.example","x")', title_es="+1 agencia @sur")
    db.session.commit()
    rows = read_csv(client.get("/en/practices/export.csv"))
    assert rows[0]["Title in English"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["Title in Spanish"] == "'+1 agencia @sur"

    sheet = load_workbook(io.BytesIO(client.get("/en/practices/export.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Title in English") + 1)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","x")'

    data = json.loads(client.get("/en/practices/export.json").data)
    assert data["practices"][0]["title_es"] == "+1 agencia @sur"
