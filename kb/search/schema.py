"""The index schema: per-language text fields, bilingual name fields and facet fields."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.search import analysis

LANGS = ("en", "es")
# Text fields searched by a plain query, with their weight; the page's language is boosted.
TEXT_FIELDS = {
    "title_en": 3.0,
    "summary_en": 2.0,
    "body_en": 1.0,
    "title_es": 3.0,
    "summary_es": 2.0,
    "body_es": 1.0,
    "org": 1.5,
    "place": 1.0,
    "topic": 1.0,
}
# Prefixes a researcher may type, and the field each searches.
FIELD_PREFIXES = {"title": "title", "org": "org"}
FACET_FIELDS = ("theme", "pillar", "region", "country", "corridor", "actor", "implementation")
NO_END_YEAR = 9999


def _facet():
    return KEYWORD(lowercase=False, commas=False, scorable=False)


def build_schema() -> Schema:
    def english(boost=1.0):
        return TEXT(analyzer=analysis.english(), stored=True, field_boost=boost)

    def spanish(boost=1.0):
        return TEXT(
            analyzer=analysis.spanish(), stored=True, field_boost=boost, multitoken_query="or"
        )

    def bilingual():
        return TEXT(analyzer=analysis.bilingual(), multitoken_query="or")

    return Schema(
        id=ID(stored=True, unique=True),
        stamp=STORED(),
        title_en=english(),
        summary_en=english(),
        body_en=english(),
        title_es=spanish(),
        summary_es=spanish(),
        body_es=spanish(),
        title=bilingual(),
        org=bilingual(),
        place=bilingual(),
        topic=bilingual(),
        spell=TEXT(analyzer=analysis.plain()),
        start_year=NUMERIC(int, bits=32, sortable=True),
        end_year=NUMERIC(int, bits=32),
        **{name: _facet() for name in FACET_FIELDS},
    )
