"""Seed validation refuses facts that contradict each other, and the shipped catalogue is as
correct, balanced and sourced as issue 9 asks."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
import yaml

from kb.services.seed_schema import validate
from tests.conftest import SEEDS


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def rewrite(seed_copy, number: str, change) -> str:
    """Apply ``change`` to the YAML data of practice ``number``; the file's shown name."""
    path = next((seed_copy / "practices").glob(f"{number}-*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return f"seeds/practices/{path.name}"


def problems_of(seed_copy, name: str) -> list[str]:
    return [f"{p.field}: {p.message}" for p in validate(seed_copy)[1] if p.file == name]


def test_a_completed_practice_without_an_end_year_is_refused(seed_copy):
    name = rewrite(
        seed_copy, "028", lambda d: d.update(implementation_status="completed", end_year=None)
    )
    assert "end_year: a completed practice needs the year it ended" in problems_of(seed_copy, name)


def test_an_ongoing_practice_with_an_end_year_is_refused(seed_copy):
    name = rewrite(
        seed_copy, "029", lambda d: d.update(implementation_status="ongoing", end_year=2022)
    )
    assert "end_year: an ongoing practice has no end year; is it completed?" in problems_of(
        seed_copy, name
    )


def test_an_end_year_in_the_future_is_refused(seed_copy):
    name = rewrite(
        seed_copy, "028", lambda d: d.update(implementation_status="completed", end_year=2099)
    )
    assert any("2099 is in the future" in p for p in problems_of(seed_copy, name))


def test_a_subnational_practice_names_subdivisions_of_its_own_countries(seed_copy):
    name = rewrite(seed_copy, "016", lambda d: d.update(subdivisions=[]))
    assert (
        "subdivisions: a practice with scope 'subnational' names its subdivisions"
        in problems_of(seed_copy, name)
    )
    name = rewrite(seed_copy, "017", lambda d: d.update(subdivisions=["US-CA"], countries=["CA"]))
    assert "subdivisions[0]: US-CA is in US, not in countries" in problems_of(seed_copy, name)


def test_an_evaluation_needs_its_type_and_the_old_yes_no_form_is_refused(seed_copy):
    def old_form(d):
        d.pop("evaluations", None)
        d["evaluation"] = {"exists": True, "source": "A review"}

    name = rewrite(seed_copy, "007", old_form)
    assert any(p.startswith("evaluation: replaced by") for p in problems_of(seed_copy, name))
    name = rewrite(
        seed_copy, "009", lambda d: d.update(evaluations=[{"type": "yes", "title": "Review"}])
    )
    assert any(
        p.startswith("evaluations[0].type: 'yes' is not one of")
        for p in problems_of(seed_copy, name)
    )


def test_a_published_practice_needs_two_sources_one_with_a_url_and_both_bodies(seed_copy):
    def one_source(d):
        d["sources"] = d["sources"][:1]

    name = rewrite(seed_copy, "001", one_source)
    assert "sources: a published practice cites at least two sources" in problems_of(
        seed_copy, name
    )

    def no_url(d):
        for s in d["sources"]:
            s.pop("url", None)

    name = rewrite(seed_copy, "002", no_url)
    assert "sources: a published practice has at least one source with a URL" in problems_of(
        seed_copy, name
    )
    name = rewrite(seed_copy, "003", lambda d: d["translations"]["es"].update(body=""))
    assert "translations.es: a published practice has a body in both languages" in problems_of(
        seed_copy, name
    )


def test_an_approximate_year_is_read_and_a_wrong_one_named(seed_copy):
    rewrite(seed_copy, "012", lambda d: d.update(start_year="c. 2011"))
    data, problems = validate(seed_copy)
    assert problems == []
    record = next(p for p in data.practices if p["id"] == 12)
    assert (record["start_year"], record["start_year_approx"]) == (2011, True)
    name = rewrite(seed_copy, "012", lambda d: d.update(start_year="around 2011"))
    assert any(
        p.startswith("start_year: expected a year (2011)") for p in problems_of(seed_copy, name)
    )


# --- the shipped catalogue ------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    data, problems = validate(SEEDS)
    assert problems == []
    return data


def regions_of(practice, region_of: dict) -> set[str]:
    codes = {c for c, _ in practice["countries"]}
    codes |= {code for slug, _ in practice["corridors"] for code in slug.split("-")}
    return {region_of[c] for c in codes}


def test_the_catalogue_is_twice_as_large_and_balanced(catalogue):
    practices = catalogue.practices
    region_of = {c["code"]: c["region"] for c in catalogue.countries}
    assert len(practices) >= 75
    outside = [p for p in practices if "americas" not in regions_of(p, region_of)]
    assert len(outside) >= 15
    south_caribbean = {
        "AR",
        "BO",
        "BR",
        "CL",
        "CO",
        "EC",
        "PE",
        "PY",
        "UY",
        "VE",
        "DO",
        "HT",
        "JM",
        "TT",
        "BB",
    }
    involving = [
        p
        for p in practices
        if ({c for c, _ in p["countries"]} | {c for s, _ in p["corridors"] for c in s.split("-")})
        & south_caribbean
    ]
    assert len(involving) >= 12
    per_region = Counter(r for p in practices for r in regions_of(p, region_of))
    assert all(per_region[r["slug"]] >= 5 for r in catalogue.regions), per_region
    per_theme = Counter(t for p in practices for t, _ in p["themes"])
    assert all(per_theme[t["slug"]] >= 4 for t in catalogue.themes), per_theme
    assert len(catalogue.collections) >= 2


def test_every_practice_is_sourced_and_written_in_both_languages(catalogue):
    for p in catalogue.practices:
        assert len(p["sources"]) >= 2, p["id"]
        assert any(s["url"] for s in p["sources"]), p["id"]
        assert all(s["language"] for s in p["sources"]), p["id"]
        for lang in ("en", "es"):
            t = p["translations"][lang]
            assert t["title"] and t["summary"] and t["body"], (p["id"], lang)


def test_the_corrections_named_in_the_review_hold(catalogue):
    by_id = {p["id"]: p for p in catalogue.practices}
    organisations = {o["key"]: o for o in catalogue.organisations}
    panama = [
        organisations[key]
        for key, _role, _line in by_id[10]["organisations"]
        if organisations[key]["country"] == "PA"
    ]
    assert panama and all("Servicio Nacional de Migración" in o["name_es"] for o in panama)
    assert "Autoridad Nacional" not in by_id[10]["translations"]["es"]["body"]
    assert "gpog-7" in {k for k, _ in by_id[18]["frameworks"]}
    assert "fee" in by_id[18]["translations"]["en"]["body"].lower()
    for pid, code in ((16, "CA-MB"), (17, "CA-SK")):
        assert by_id[pid]["scope"] == "subnational"
        assert [c for c, _ in by_id[pid]["subdivisions"]] == [code]
    assert by_id[29]["implementation_status"] == "ongoing" and by_id[29]["end_year"] is None
    assert by_id[29]["translations"]["en"]["limits"]
    assert by_id[12]["implementation_status"] != "ongoing"
    assert by_id[28]["implementation_status"] != "ongoing"
    for pid in (7, 9, 12):
        assert all(e["type"] != "independent-evaluation" for e in by_id[pid]["evaluations"]), pid
    assert by_id[1]["translations"]["en"]["limits"], "the farm-worker programme needs its limits"
    assert any(o["actor_type"] == "company" for o in catalogue.organisations)
    framework = {f["key"]: f for f in catalogue.frameworks}
    assert "permission" in framework["gpog-12"]["title_en"]
    assert "home" not in framework["gpog-12"]["title_en"]


def test_the_launch_collection_is_the_editors_selection_and_the_agenda_sticks_to_sources(
    catalogue,
):
    launch = next(c for c in catalogue.collections if c["slug"] == "americas-launch-2021")
    assert "editors' selection" in launch["title_en"]
    assert "name no practices" in launch["description_en"]
    event = catalogue.events[0]
    assert (str(event["start_time"]), str(event["end_time"]), event["time_zone"]) == (
        "09:00:00",
        "11:30:00",
        "America/Lima",
    )
    assert [item["title_en"] for item in event["agenda"]] == [
        "High-level opening",
        "Technical discussion on promising practices",
        "Participatory dialogue",
    ]
