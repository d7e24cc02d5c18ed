"""The Spanish of the seeds follows seeds/GLOSSARY.md: no forbidden form outside « », and every
Spanish title starts with the countries its English title starts with."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from babel import Locale

from tests.conftest import SEEDS

GLOSSARY = SEEDS / "GLOSSARY.md"
QUOTED = re.compile(r"«[^»]*»")
# Spanish texts of a practice file, of the other seed files' records (fields ending in _es).
PRACTICE_TEXTS = ("title", "summary", "body", "results", "limits", "gender")


def forbidden_forms() -> list[tuple[re.Pattern, str]]:
    """The table under "## Forbidden forms": (pattern, what to write instead)."""
    section = GLOSSARY.read_text(encoding="utf-8").split("## Forbidden forms", 1)[1]
    forms = []
    for line in section.splitlines():
        match = re.match(r"^\| `(.+)` \| (.+) \|$", line.strip())
        if match:
            pattern = match.group(1).replace(r"\|", "|")
            forms.append((re.compile(pattern), match.group(2)))
    return forms


def spanish_texts(seeds: Path):
    """(where, text) for every Spanish text of the seed folder."""
    for path in sorted((seeds / "practices").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        es = (data.get("translations") or {}).get("es") or {}
        for field in PRACTICE_TEXTS:
            if es.get(field):
                yield f"{path.name}: {field}", es[field]
    for name in ("collections.yaml", "events.yaml", "taxonomy.yaml"):
        yield from _fields_es(name, yaml.safe_load((seeds / name).read_text(encoding="utf-8")))


def _fields_es(where: str, node):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and str(key).endswith("_es"):
                yield f"{where}: {key}", value
            else:
                yield from _fields_es(where, value)
    elif isinstance(node, list):
        for item in node:
            yield from _fields_es(where, item)


def violations(texts, forms) -> list[str]:
    found = []
    for where, text in texts:
        unquoted = QUOTED.sub("«»", text)
        for pattern, instead in forms:
            for match in pattern.finditer(unquoted):
                found.append(f"{where}: {match.group(0)!r} (write: {instead})")
    return found


def test_the_glossary_lists_forbidden_forms():
    patterns = {p.pattern for p, _ in forbidden_forms()}
    assert len(patterns) >= 20
    assert r"\b[Ee]videncias?\b" in patterns


def test_the_check_catches_a_forbidden_form_and_spares_a_quoted_name():
    forms = forbidden_forms()
    texts = [
        ("a", "Los trabajadores pagaron tarifas de reclutamiento."),
        ("b", "Hay evidencia de abusos en Qatar."),
        ("c", "Las personas trabajadoras; la «Ley de Reclutamiento de Trabajadores»."),
        ("d", 'Un "programa" piloto.'),
        ("e", "Las organizaciones de empleadores y de trabajadores participan."),
    ]
    found = violations(texts, forms)
    matched = {line.split(" (write")[0] for line in found}
    assert {"a: 'trabajadores'", "a: 'tarifas de reclutamiento'"} <= matched
    assert {"b: 'evidencia'", "b: 'Qatar'", "d: '\"'"} <= matched
    assert not [line for line in found if line.startswith(("c:", "e:"))]


def test_the_spanish_of_the_seeds_follows_the_glossary():
    found = violations(spanish_texts(SEEDS), forbidden_forms())
    assert found == [], "\n".join(found)


def _names(codes: list[str], lang: str) -> dict[str, str]:
    territories = Locale.parse(lang).territories
    return {territories[code]: code for code in codes if code in territories}


def _head_countries(title: str, names: dict[str, str]) -> set[str]:
    head = title.split(":", 1)[0] if ":" in title else ""
    return {code for name, code in names.items() if re.search(rf"\b{re.escape(name)}\b", head)}


def test_every_spanish_title_starts_with_the_countries_of_the_english_one():
    countries = yaml.safe_load((SEEDS / "countries.yaml").read_text(encoding="utf-8"))
    codes = [c["code"] for c in countries["countries"]]
    en_names, es_names = _names(codes, "en"), _names(codes, "es")
    en_names |= {"US": "US", "UK": "GB", "Viet Nam": "VN", "Hong Kong": "HK"}
    es_names |= {"Hong Kong": "HK"}
    mismatched = []
    for path in sorted((SEEDS / "practices").glob("*.yaml")):
        texts = yaml.safe_load(path.read_text(encoding="utf-8"))["translations"]
        en, es = texts["en"]["title"], texts["es"]["title"]
        wanted = _head_countries(en, en_names)
        if wanted and _head_countries(es, es_names) != wanted:
            mismatched.append(f"{path.name}: {en!r} / {es!r}")
    assert mismatched == [], "\n".join(mismatched)


def test_the_interface_has_no_calque_and_a_real_catalogue_header():
    po = (SEEDS.parent / "translations" / "es" / "LC_MESSAGES" / "messages.po").read_text(
        encoding="utf-8"
    )
    assert 'msgstr "socia"' not in po
    assert "Algo salió mal de nuestro lado" not in po
    assert "PROJECT VERSION" not in po and "FIRST AUTHOR" not in po and "EMAIL@" not in po


def test_the_spanish_interface_follows_the_glossary():
    from babel.messages.pofile import read_po

    path = SEEDS.parent / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    texts = [
        (str(m.id)[:60], text)
        for m in catalogue
        if m.id
        for text in (m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    found = violations(texts, forbidden_forms())
    assert found == [], "\n".join(found)
