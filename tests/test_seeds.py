"""Seed validation reports every problem as file:line: field: message; loading is idempotent."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from sqlalchemy import func, select

from kb.extensions import db
from kb.models import Corridor, Event, Practice, Status
from kb.services import seeds
from kb.services.seed_schema import validate
from tests.conftest import CONTRACT_THEMES, SEEDS


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def test_the_shipped_seeds_are_valid():
    _, problems = validate(SEEDS)
    assert problems == []


def test_the_seeds_cover_the_catalogue_the_mission_needs():
    data, _ = validate(SEEDS)
    practices = data.practices
    assert len(practices) >= 30
    americas = {c["code"] for c in data.countries if c["region"] == "americas"}
    in_americas = [
        p
        for p in practices
        if {c for c, _ in p["countries"]} & americas
        or {code for slug, _ in p["corridors"] for code in slug.split("-")} & americas
    ]
    assert len(in_americas) >= 20
    themes = {t for p in practices for t, _ in p["themes"]}
    assert themes >= set(CONTRACT_THEMES)
    assert {n for p in practices for n, _ in p["pillars"]} == {1, 2, 3, 4}
    for p in practices:
        assert set(p["translations"]) == {"en", "es"}, p["id"]
        assert all(t["title"] and t["summary"] for t in p["translations"].values())


def problem_lines(directory):
    return [str(p) for p in validate(directory)[1]]


def test_a_wrong_field_is_reported_with_file_line_and_field(seed_copy):
    path = next((seed_copy / "practices").glob("001-*.yaml"))
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("scope:"))
    lines[index] = "scope: planetary"
    lines.insert(3, "colour: blue")
    path.write_text("\n".join(lines) + "\n")
    problems = problem_lines(seed_copy)
    name = f"seeds/practices/{path.name}"
    assert (
        f"{name}:{index + 2}: scope: 'planetary' is not one of: corridor, national, subnational, "
        "regional, global" in problems
    )
    assert f"{name}:4: colour: unknown field" in problems


def test_every_problem_is_reported_not_only_the_first(seed_copy):
    (seed_copy / "practices" / "999-broken.yaml").write_text(
        "id: 1\nslug: Not A Slug\nstatus: published\nscope: corridor\n"
        "implementation_status: ongoing\npillars: [5]\nthemes: [nope]\ncorridors: [MX-ZZ]\n"
        "translations:\n  en:\n    title: T\n    summary: S\n    text_origin: original\n"
    )
    problems = "\n".join(problem_lines(seed_copy))
    name = "seeds/practices/999-broken.yaml"
    assert f"{name}:1: id: 1 is already defined at" in problems
    assert f"{name}:2: slug: 'Not A Slug' is not a slug" in problems
    assert f"{name}:6: pillars[0]: 5 is not one of" in problems
    assert f"{name}:7: themes[0]: 'nope' is not one of" in problems
    assert f"{name}:8: corridors[0]: ZZ is not in countries.yaml" in problems
    assert f"{name}:9: translations: a body is needed in at least one language" in problems


def test_a_yaml_syntax_error_names_its_line(seed_copy):
    (seed_copy / "practices" / "998-bad.yaml").write_text("id: 998\nslug: [unclosed\nscope: x\n")
    problems = problem_lines(seed_copy)
    assert any(p.startswith("seeds/practices/998-bad.yaml:") and "(yaml)" in p for p in problems)


def test_a_broken_reference_names_the_missing_record(seed_copy):
    path = seed_copy / "collections.yaml"
    path.write_text(path.read_text().replace("practices: [13,", "practices: [404,"))
    assert any(
        "collections.yaml:" in p and "no practice with id 404" in p
        for p in problem_lines(seed_copy)
    )


def test_kb_seed_with_a_wrong_field_prints_the_problem_and_writes_nothing(runner, seed_copy):
    path = next((seed_copy / "practices").glob("002-*.yaml"))
    path.write_text(path.read_text().replace("status: published", "status: famous"))
    result = runner.invoke(args=["seed", str(seed_copy)])
    assert result.exit_code == 1
    assert f"seeds/practices/{path.name}:" in result.output
    assert "status: 'famous' is not one of" in result.output
    assert "nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(Practice)) == 0


def test_kb_seed_loads_everything_and_says_so_in_one_line(runner):
    result = runner.invoke(args=["seed", str(SEEDS)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Seeded from") and "practices" in last and "created" in last
    assert db.session.scalar(select(func.count()).select_from(Practice)) >= 30
    event = db.session.scalar(select(Event).filter_by(slug="americas-launch-2021"))
    assert event.starts_on.isoformat() == "2021-10-25"
    assert [a.title_en for a in event.agenda] == [
        "High-level opening",
        "Technical discussion on promising practices",
        "Participatory dialogue",
    ]
    assert {o.key for o in event.organisers} == {"ilo", "ioe", "ituc", "tuca"}


def snapshot():
    practices = db.session.scalars(select(Practice).order_by(Practice.id)).all()
    return [
        (
            p.id,
            p.updated_at,
            p.published_at,
            sorted(t.title for t in p.translations.values()),
            sorted(c.slug for c in p.corridors),
            [s.title for s in p.sources],
        )
        for p in practices
    ]


def test_seeding_twice_changes_nothing(app):
    first = seeds.seed(SEEDS)
    assert first.changes > 0
    before = snapshot()
    corridors = db.session.scalar(select(func.count()).select_from(Corridor))
    second = seeds.seed(SEEDS)
    assert second.changes == 0, second.summary()
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(Corridor)) == corridors


def test_seeding_after_an_edit_updates_only_that_record(app, seed_copy):
    seeds.seed(seed_copy)
    path = next((seed_copy / "practices").glob("003-*.yaml"))
    text = path.read_text()
    path.write_text(
        text.replace("is_curated: true", "is_curated: false", 1)
        if "is_curated: true" in text
        else text.replace("is_curated: false", "is_curated: true", 1)
    )
    report = seeds.seed(seed_copy)
    assert report.updated == Counter({"practices": 1})
    assert sum(report.created.values()) == 0


def test_every_seeded_practice_is_published(app):
    seeds.seed(SEEDS)
    statuses = set(db.session.scalars(select(Practice.status)))
    assert statuses == {Status.published}
