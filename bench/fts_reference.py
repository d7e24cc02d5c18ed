"""The SQLite FTS5 reference of the search benchmark (bench/search_bench.py).

The same documents as the Whoosh index, in an FTS5 table whose columns hold the texts already
stemmed (Snowball through PyStemmer: English for the English columns, Spanish for the Spanish
ones; the names of organisations, countries and themes once in each), lowercased, without stop
words and accents, so that the snippets show stems; the query words go through the same steps.
Facet values are numbered in a table beside it (facet_value), with one row per document and
value (facet). Each search does its work in SQL: the top 10 by bm25 with column weights and
their snippets, the total, and every facet count (a filtered dimension counted without its own
filter, as the app counts it); the browse does the count, every facet count and the first page
of 20 by title.
"""

from __future__ import annotations

import re
import sqlite3
import time
import unicodedata
from functools import cache
from pathlib import Path

import Stemmer
from whoosh.lang import stopwords_for_language

LANGS = ("en", "es")
STEMMERS = {"en": Stemmer.Stemmer("english"), "es": Stemmer.Stemmer("spanish")}
STOP = {lang: frozenset(stopwords_for_language(lang)) for lang in LANGS}
TOKEN = re.compile(r"\w+")
# column -> the document field it is made of
COLUMNS = {
    f"{name}_{lang}": ("names" if name == "names" else f"{name}_{lang}")
    for lang in LANGS
    for name in ("title", "summary", "body", "names")
}
# Whoosh's weights (schema.TEXT_FIELDS): title 3, the rest 1, the page's language times 1.5.
WEIGHTS = {"title": 3.0, "summary": 1.0, "body": 1.0, "names": 1.0}
PAGE_LANGUAGE_BOOST = 1.5
PAGE, BROWSE_PAGE = 10, 20
COUNTRY_VALUES = "SELECT id FROM facet_value WHERE field = 'country'"
COUNTRY = (  # the documents of the filter's one country
    "SELECT f.doc AS id FROM facet_value v CROSS JOIN facet f ON f.value = v.id "
    "WHERE v.field = 'country' AND v.value = :country"
)


@cache
def fold(stem: str) -> str:
    """Without accents: contratacion."""
    return "".join(c for c in unicodedata.normalize("NFD", stem) if not unicodedata.combining(c))


def analyse(text: str, lang: str) -> list[str]:
    """Lowercase words minus stop words, stemmed, then without accents."""
    words = [w for w in TOKEN.findall(text.lower()) if w not in STOP[lang]]
    return [fold(stem) for stem in STEMMERS[lang].stemWords(words)]


def build(path: Path, documents, facet_fields, progress) -> tuple[sqlite3.Connection, float]:
    """Load ``documents`` (the index's documents, as dicts); returns (connection, seconds)."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.executescript(
        f"""
        CREATE VIRTUAL TABLE docs USING fts5({", ".join(COLUMNS)},
            tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE facet_value (id INTEGER PRIMARY KEY, field TEXT, value TEXT);
        CREATE TABLE facet (doc INTEGER, value INTEGER, PRIMARY KEY (doc, value)) WITHOUT ROWID;
        CREATE TABLE meta (doc INTEGER PRIMARY KEY, title_en, title_es, sort_en, sort_es);
        """
    )
    values: dict[tuple[str, str], int] = {}  # (field, value) -> id
    for count, doc in enumerate(documents, 1):
        pid = int(doc["id"])
        texts = [" ".join(analyse(doc[source], column[-2:])) for column, source in COLUMNS.items()]
        conn.execute(
            f"INSERT INTO docs(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
            [pid, *texts],
        )
        pairs = {(f, v) for f in facet_fields for v in doc[f].split()}
        conn.executemany(
            "INSERT INTO facet VALUES (?, ?)",
            [(pid, values.setdefault(pair, len(values) + 1)) for pair in pairs],
        )
        titles = [doc["title_en"], doc["title_es"]]
        conn.execute(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?)", [pid, *titles, *map(str.lower, titles)]
        )
        if count % 1000 == 0:
            progress(f"FTS5: {count:,} documents")
    conn.executemany(
        "INSERT INTO facet_value VALUES (?, ?, ?)", [(i, *pair) for pair, i in values.items()]
    )
    conn.executescript(
        """
        CREATE UNIQUE INDEX facet_value_name ON facet_value(field, value);
        CREATE INDEX facet_by_value ON facet(value, doc);
        CREATE INDEX meta_en ON meta(sort_en);
        CREATE INDEX meta_es ON meta(sort_es);
        INSERT INTO docs(docs) VALUES ('optimize');  -- one b-tree, as after a rebuild
        """
    )
    conn.commit()
    conn.execute("VACUUM")
    conn.execute("ANALYZE")
    conn.commit()
    return conn, time.perf_counter() - started


def match(text: str) -> str:
    """The FTS5 query of ``text``: words (all required), a "phrase", or title:word."""
    title = text.startswith("title:")
    text = text.removeprefix("title:")
    phrase = text.startswith('"') and text.endswith('"')
    names = ("title",) if title else tuple(WEIGHTS)

    def either(words: str) -> str:
        sides = []
        for lang in LANGS:
            if stems := analyse(words, lang):
                columns = " ".join(f"{name}_{lang}" for name in names)
                sides.append(f'{{{columns}}} : "{" ".join(stems)}"')
        return f"({' OR '.join(sides)})" if sides else ""

    parts = [either(text.strip('"'))] if phrase else [either(w) for w in text.split()]
    return " AND ".join(p for p in parts if p)


def weights(lang: str) -> str:
    return ", ".join(
        str(WEIGHTS[column[:-3]] * (PAGE_LANGUAGE_BOOST if column.endswith(lang) else 1.0))
        for column in COLUMNS
    )


def search(conn: sqlite3.Connection, text: str, lang: str, country: str | None = None):
    """Top 10 with snippets, total, facet counts; returns (total, rows)."""
    params = {"q": match(text), "country": country}
    # "+rowid": the filter is checked on the matches, not used to look each of its rows up
    only = f" AND +rowid IN ({COUNTRY})" if country else ""
    top = conn.execute(
        "SELECT rowid, snippet(docs, -1, '<mark>', '</mark>', '…', 32) FROM docs "
        f"WHERE docs MATCH :q{only} ORDER BY bm25(docs, {weights(lang)}) LIMIT {PAGE}",
        params,
    ).fetchall()
    matched = "SELECT rowid AS id FROM docs WHERE docs MATCH :q"
    counts = conn.execute(counts_sql(matched, bool(country)), params).fetchall()
    return counts[0][2], top + counts


def counts_sql(matched: str | None, country: bool) -> str:
    """SQL for the total and every facet count of the documents ``matched`` selects as id
    (None: every document), under the country filter if ``country``: the total first, then
    (field, value, count). Under the filter the country values are counted without it, as the
    app counts each filtered dimension."""

    def per_value(docs: str | None, countries: bool = False) -> str:
        """(value, n) over ``docs`` (None: every document), for the country values only
        if ``countries``."""
        if docs is None:  # every document: the facet table in its own order, no join
            where = f"WHERE value IN ({COUNTRY_VALUES}) " if countries else ""
            return f"SELECT value, count(*) AS n FROM facet {where}GROUP BY value"
        # From each document to its values ("+value": not a lookup of every country per
        # document): the cost grows with the documents counted, not with the corpus.
        where = f"WHERE +value IN ({COUNTRY_VALUES}) " if countries else ""
        return (
            f"SELECT value, count(*) AS n FROM {docs} CROSS JOIN facet ON doc = id {where}"
            "GROUP BY value"
        )

    ctes = [] if matched is None else [f"m AS MATERIALIZED ({matched})"]
    base = None if matched is None else "m"
    if country:
        hit = COUNTRY if matched is None else f"SELECT id FROM m WHERE id IN ({COUNTRY})"
        ctes.append(f"hit AS MATERIALIZED ({hit})")
        counts = (
            f"SELECT * FROM ({per_value('hit')}) WHERE value NOT IN ({COUNTRY_VALUES}) "
            f"UNION ALL {per_value(base, countries=True)}"
        )
    else:
        counts = per_value(base)
    ctes.append(f"c AS ({counts})")
    total = "hit" if country else base or "meta"
    return (
        f"WITH {', '.join(ctes)} SELECT NULL, NULL, count(*) FROM {total} UNION ALL "
        "SELECT v.field, v.value, c.n FROM c JOIN facet_value v ON v.id = c.value"
    )


def browse(conn: sqlite3.Connection, lang: str, country: str | None = None):
    """The browse page without a query: total, every facet count, the first 20 by title."""
    params = {"country": country}
    counts = conn.execute(counts_sql(None, bool(country)), params).fetchall()
    only = f"WHERE doc IN ({COUNTRY}) " if country else ""
    first = conn.execute(
        f"SELECT doc, title_{lang} FROM meta {only}ORDER BY sort_{lang}, doc LIMIT {BROWSE_PAGE}",
        params,
    ).fetchall()
    return counts[0][2], first + counts
