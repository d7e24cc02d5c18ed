"""The index schema: per-language text fields, bilingual name fields and facet fields.

A plain query searches few fields (each word becomes one matcher per field and variant, and the
union of matchers is what a search spends its time on): the title and the rest of the text in
each language, and one field of names (organisations, countries, corridors, themes, pillars).
The summaries and bodies are stored apart for highlighting.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.search import analysis
from kb.search.formats import PackedPositions

LANGS = ("en", "es")
# Text fields searched by a plain query, with their weight; the page's language is boosted.
TEXT_FIELDS = {
    "title_en": 3.0,
    "text_en": 1.0,
    "title_es": 3.0,
    "text_es": 1.0,
    "names": 1.0,
}
# Stored passages that can be highlighted, and the indexed field whose terms mark them.
SNIPPET_SOURCES = {
    "summary_en": "text_en",
    "body_en": "text_en",
    "title_en": "title_en",
    "summary_es": "text_es",
    "body_es": "text_es",
    "title_es": "title_es",
}
FACET_FIELDS = (
    "theme",
    "pillar",
    "region",
    "country",
    "corridor",
    "actor",
    "implementation",
    "sector",
    "subdivision",
    "women",
)
NO_END_YEAR = 9999


def _facet():
    return KEYWORD(lowercase=False, commas=False, scorable=False)


def _packed(field: TEXT) -> TEXT:
    """Positions stored packed (formats.py), for phrases read with numpy."""
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    def english(stored=False):
        return _packed(TEXT(analyzer=analysis.english(), stored=stored))

    def spanish(stored=False):
        return _packed(TEXT(analyzer=analysis.spanish(), stored=stored, multitoken_query="or"))

    def bilingual():
        return _packed(TEXT(analyzer=analysis.bilingual(), multitoken_query="or"))

    return Schema(
        id=ID(stored=True, unique=True),
        stamp=STORED(),
        title_en=english(stored=True),
        text_en=english(),
        title_es=spanish(stored=True),
        text_es=spanish(),
        summary_en=STORED(),
        body_en=STORED(),
        summary_es=STORED(),
        body_es=STORED(),
        title=bilingual(),
        org=bilingual(),
        names=bilingual(),
        spell=TEXT(analyzer=analysis.plain(), phrase=False),  # a vocabulary: no positions
        # Codes and identifiers whole, without separators (codes.py): h2a, c181, 1071.
        codes=KEYWORD(lowercase=True, commas=False, scorable=True),
        start_year=NUMERIC(int, bits=32, sortable=True),
        end_year=NUMERIC(int, bits=32),
        # Per-document columns that order a browsed list without the database (browse.py).
        pid=COLUMN(NumericColumn("I")),
        reviewed=COLUMN(NumericColumn("I")),
        sort_en=COLUMN(VarBytesColumn()),
        sort_es=COLUMN(VarBytesColumn()),
        **{name: _facet() for name in FACET_FIELDS},
    )


# The analyzer of each highlighted field, for marking stored passages.
SCHEMA_ANALYZERS = {
    "title_en": analysis.english(),
    "text_en": analysis.english(),
    "title_es": analysis.spanish(),
    "text_es": analysis.spanish(),
}
