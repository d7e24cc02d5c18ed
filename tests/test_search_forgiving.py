"""Search that forgives: codes typed any way, best matches when no practice holds every word,
and a thesaurus of equivalents that ranks the typed words first."""

from __future__ import annotations

import pytest

from kb.extensions import db
from kb.search import codes, get_index
from kb.search.query import search
from kb.search.reading import Thesaurus, read
from kb.values.filters import Filters
from tests.factories import make_practice
from tests.test_search import result_ids, result_total


# --- codes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, code",
    [
        ("H-2A", "h2a"),
        ("H2A", "h2a"),
        ("SOR/2022-142", "sor2022142"),
        ("10.7.1", "1071"),
        ("ITUC/TUCA", "ituctuca"),
        ("Ngäbe-Buglé", "ngabebugle"),
    ],
)
def test_a_code_has_one_form_whatever_its_separators(typed, code):
    assert codes.is_code(typed)
    assert code in codes.codes_in(f"The {typed} rule.")


def test_numbered_instruments_share_one_code_across_languages():
    for text in ("Convention No. 181", "Convenio núm. 181", "C181", "convention 181"):
        assert "c181" in codes.codes_in(text), text
    assert "1071" in codes.codes_in("SDG indicator 10.7.1") == codes.codes_in("ODS 10.7.1")
    assert "law1636" in codes.codes_in("Ley 1636 de 2013")


def test_reading_keeps_strict_items_strict_and_widens_plain_words():
    thesaurus = Thesaurus([["health card", "carné sanitario", "tarjeta sanitaria"]])
    reading = read('tarjeta sanitaria "binational card" -fees title:panama', ["title"], thesaurus)
    assert [(i.words, i.strict) for i in reading.items] == [
        (("tarjeta", "sanitaria"), False),
        (('"binational card"',), True),
        (("-fees",), True),
        (("title:panama",), True),
    ]
    assert reading.equivalents == [("tarjeta sanitaria", ("health card", "carné sanitario"))]
    assert read("fees AND (H-2A OR H-2B)", ["title"], thesaurus).explicit


# --- the shipped catalogue ---------------------------------------------------------------
@pytest.mark.parametrize(
    "query, lang, first",
    [
        ("H-2A", "en", 19),
        ("H2A", "en", 19),
        ("H-2A recruitment fees", "en", 19),
        ("tarjeta sanitaria binacional", "es", 10),
        ("encuesta costos de reclutamiento", "es", 22),
        ("SOR/2022-142", "en", 18),
        ("Convention 181", "en", 57),
        ("Ngabe-Bugle", "es", 10),
    ],
)
def test_the_intended_practice_comes_first(seeded_client, query, lang, first):
    html = seeded_client.get(f"/{lang}/search", query_string={"q": query}).get_data(as_text=True)
    assert result_ids(html)[:1] == [first], (query, result_ids(html)[:5])


def test_one_unknown_word_no_longer_empties_the_page(seeded_client):
    html = seeded_client.get("/en/search?q=migrant+domestic+workers+zzyzx").get_data(as_text=True)
    assert result_total(html) > 0
    assert "No practice has all your words; showing those with most of them." in html
    assert "No practice has: zzyzx." in html and "Missing: zzyzx" in html
    spanish = seeded_client.get("/es/search?q=trabajo+doméstico+zzyzx").get_data(as_text=True)
    assert "Ninguna práctica contiene todas sus palabras" in spanish


def test_quoted_phrases_exclusions_and_explicit_and_stay_strict(seeded_client):
    for query in ('"recruitment fees" zzyzx', "fees AND zzyzx", "fees +zzyzx", "title:zzyzx fees"):
        html = seeded_client.get("/en/search", query_string={"q": query}).get_data(as_text=True)
        assert result_total(html) == 0, query
    html = seeded_client.get("/en/search", query_string={"q": "-H-2A fees"}).get_data(as_text=True)
    assert result_total(html) > 0 and 19 not in result_ids(html)


def test_the_page_names_the_equivalents_it_searched(seeded_client):
    html = seeded_client.get("/es/search?q=tarjeta+sanitaria").get_data(as_text=True)
    assert "«tarjeta sanitaria» también se buscó como:" in html
    assert "carné sanitario" in html


def test_the_typed_words_rank_above_their_equivalents(app):
    make_practice(id=1, title="Licensing of private employment agencies", start_year=2020)
    make_practice(id=2, title="Rules for placement agencies", start_year=2020)
    db.session.commit()
    thesaurus = Thesaurus([["placement agency", "private employment agency"]])
    for query, first in (("placement agency", 2), ("private employment agency", 1)):
        result = search(get_index(), query, "en", Filters(), thesaurus=thesaurus)
        assert result.ids == [first, 3 - first], query
    without = search(get_index(), "placement agency", "en", Filters())
    assert without.ids == [2]


def test_more_of_the_words_ranks_higher_than_a_better_score_for_fewer(app):
    make_practice(id=1, title="Seasonal seasonal seasonal workers", start_year=2020)
    make_practice(id=2, title="Seasonal farm workers in Canada", start_year=2020)
    db.session.commit()
    result = search(get_index(), "seasonal farm canada qqqzz", "en", Filters())
    assert result.partial and result.ids == [2, 1]
    assert result.missing == {2: ("qqqzz",), 1: ("farm", "canada", "qqqzz")}
    assert result.left_out == ("qqqzz",)


def test_the_thesaurus_is_validated_like_every_seed_file(tmp_path):
    import shutil

    from kb.services.seed_schema import validate
    from tests.conftest import SEEDS

    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    path = copy / "thesaurus.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - key: broken\n    en: [health card, 'fees:x']\n    es: []\n"
        + "  - key: lonely\n    en: [lonely]\n",
        encoding="utf-8",
    )
    problems = [f"{p.field}: {p.message}" for p in validate(copy)[1]]
    assert any("'health card' is already in group" in p for p in problems), problems
    assert any("'fees:x' is not a term" in p for p in problems)
    assert any("a group needs at least two terms" in p for p in problems)


def test_editing_the_thesaurus_needs_no_reindex(app, client):
    from kb.models import ThesaurusGroup

    app.config["SEARCH_THESAURUS_TTL"] = 0
    make_practice(id=1, title="Rules for placement agencies", start_year=2020)
    db.session.commit()
    assert result_total(client.get("/en/search?q=headhunters").get_data(as_text=True)) == 0
    db.session.add(ThesaurusGroup(key="agency", terms_en="placement agencies\nheadhunters"))
    db.session.commit()
    html = client.get("/en/search?q=headhunters").get_data(as_text=True)
    assert result_ids(html) == [1]
    assert "“headhunters” was also searched as: placement agencies." in html


def test_a_remembered_reading_follows_the_thesaurus_and_is_not_shared_for_writing():
    """kb.search.parsing remembers readings per text, schema and thesaurus."""
    from kb.search.parsing import read_query
    from kb.search.schema import build_schema

    schema = build_schema()
    plain = read_query("placement agency", schema, "en", Thesaurus([]))
    widened = read_query(
        "placement agency", schema, "en", Thesaurus([["placement agency", "job broker"]])
    )
    assert plain[0].equivalents == []
    assert widened[0].equivalents == [("placement agency", ("job broker",))]
    assert "broker" in str(widened[1]) and "broker" not in str(plain[1])

    first = read_query("recruitment fees", schema, "en")
    first[1].clear()  # a caller's list: the next reading is whole
    again = read_query("recruitment fees", schema, "en")
    assert again[1] and again[0] is first[0]
