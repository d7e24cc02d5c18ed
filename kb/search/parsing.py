"""Parsing what was typed: the reading of a query (kb.search.reading) turned into Whoosh
queries over the text fields, with its cost capped (``Limits``): words, phrase slop, and the
index terms a wildcard, prefix or range may stand for."""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from whoosh import qparser
from whoosh import query as wq
from whoosh.query import And, NullQuery, Query

from kb.search.reading import EMPTY, Reading, Thesaurus, parse_text, read
from kb.search.schema import TEXT_FIELDS

OTHER_BOOST = 1.0
PAGE_LANGUAGE_BOOST = 1.5
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


@dataclass(frozen=True)
class Limits:
    """What one search may cost. Past a limit the query is read more simply, with a notice
    (the codes in SearchResult.limited), never an error."""

    max_words: int = 24  # words (and operators) read from the query
    max_slop: int = 10  # positions a phrase's words may lie apart ("a b"~N)
    max_expansion: int = 64  # index terms one wildcard, prefix or range may stand for
    max_patterns: int = 4  # wildcards, prefixes and ranges in one query


DEFAULT_LIMITS = Limits()


def _parser(schema, lang: str) -> qparser.MultifieldParser:
    boosts = {
        name: weight * (PAGE_LANGUAGE_BOOST if name.endswith(f"_{lang}") else OTHER_BOOST)
        for name, weight in TEXT_FIELDS.items()
    }
    parser = qparser.MultifieldParser(list(boosts), schema, fieldboosts=boosts)
    parser.add_plugin(qparser.PlusMinusPlugin())
    return parser


def _plain_words(text: str) -> str:
    """The words of a query without any syntax: the fallback reading of a malformed query."""
    return " ".join(w for w in WORD.findall(text) if w not in OPERATORS)


def is_empty(query: Query) -> bool:
    return query is NullQuery or query.normalize() is NullQuery


def parse(text: str, schema, lang: str) -> tuple[Query, str]:
    """The query and the reading of ``text`` it came from.

    Whoosh reads most broken syntax sensibly; when it cannot (or the result would match
    nothing although words were typed), the words alone are searched.
    """
    words = WORD.findall(text)
    if words and all(word in OPERATORS for word in words):
        return NullQuery, ""  # a lone operator: nothing to search for
    parser = _parser(schema, lang)
    try:
        query = parser.parse(text)
    except Exception:  # noqa: BLE001 - any parser failure falls back to the plain words
        query = NullQuery
    if is_empty(query):
        plain = _plain_words(text)
        if plain and plain != text:
            return parser.parse(plain), plain
    return query, text


# Readings remembered per process: a kept search page asks its query again after changes
# (kb.web.pagecache), and reading it took about 1 ms. Queries are never changed in place
# (``bound`` copies what it caps); the schema and thesaurus are kept with them, so that their
# id()s are not reused while remembered.
READINGS_KEPT = 512
_readings: OrderedDict[tuple, tuple] = OrderedDict()
_readings_lock = threading.Lock()


def read_query(
    text: str, schema, lang: str, thesaurus: Thesaurus = EMPTY
) -> tuple[Reading, list[Query], str]:
    """The reading of ``text``, one query per item (all required), and the text shown as read:
    the typed text, or its plain words when its syntax could not be read."""
    key = (text, lang, id(schema), id(thesaurus))
    with _readings_lock:
        found = _readings.get(key)
        if found is not None:
            _readings.move_to_end(key)
    if found is None:
        found = (schema, thesaurus, _read_query(text, schema, lang, thesaurus))
        with _readings_lock:
            _readings[key] = found
            while len(_readings) > READINGS_KEPT:
                _readings.popitem(last=False)
    reading, queries, shown = found[2]
    return reading, list(queries), shown


def _read_query(text: str, schema, lang: str, thesaurus: Thesaurus):
    reading = read(text, schema.names(), thesaurus)
    if reading.explicit:
        query, shown = parse(parse_text(reading), schema, lang)
        if shown != parse_text(reading):  # fell back to the plain words
            return _read_query(_plain_words(text), schema, lang, thesaurus)
        return reading, [query], text
    parser = _parser(schema, lang)
    queries = []
    for item in reading.items:
        # Alone, "-word" would parse to nothing: its body is parsed and negated here.
        sign, body = (item.text[0], item.text[1:]) if item.text[:1] in "+-" else ("", item.text)
        try:
            query = parser.parse(body)
        except Exception:  # noqa: BLE001 - an item the parser cannot read: its words
            query = parser.parse(_plain_words(" ".join(item.words)) or "")
        if sign == "-" and not is_empty(query):
            query = wq.Not(query)
        queries.append(query)
    return reading, queries, text


def all_of(queries: list[Query]) -> Query:
    kept = [q for q in queries if not is_empty(q)]
    if not kept:
        return NullQuery
    return kept[0] if len(kept) == 1 else And(kept)


def within_words(text: str, limits: Limits, notices: set[str]) -> str:
    words = WORD.findall(text)
    if len(words) <= limits.max_words:
        return text
    notices.add("words")
    return " ".join(words[: limits.max_words])


def _literal_prefix(pattern: str) -> str:
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]


def bound(query: Query, reader, limits: Limits, notices: set[str]) -> Query:
    """``query`` with its cost capped: phrase slop, and every wildcard, prefix or range turned
    into an OR of at most ``max_expansion`` index terms (a pattern that starts with a wildcard
    would read the whole vocabulary: it is read from its first letters instead)."""
    patterns: set[str] = set()  # as typed: one pattern stands for a query in each field

    def walk(q: Query) -> Query:
        if isinstance(q, wq.Phrase):
            if q.slop > limits.max_slop:
                notices.add("slop")
                q = copy.copy(q)
                q.slop = limits.max_slop
            return q
        if isinstance(q, wq.MultiTerm):
            patterns.add(str(getattr(q, "text", q)))
            if len(patterns) > limits.max_patterns:
                notices.add("patterns")
                return NullQuery
            if isinstance(q, wq.Wildcard) and q.text[:1] in ("*", "?"):
                notices.add("wildcard")
                literal = _literal_prefix(q.text.lstrip("*?"))
                if len(literal) < 2:
                    return NullQuery
                q = wq.Prefix(q.fieldname, literal, boost=q.boost)
            try:
                texts = []
                for btext in q._btexts(reader):
                    if len(texts) == limits.max_expansion:
                        notices.add("expansion")
                        break
                    texts.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
            except Exception:  # noqa: BLE001 - a pattern the index cannot expand matches nothing
                return NullQuery
            if not texts:
                return NullQuery
            return wq.Or([wq.Term(q.fieldname, t, boost=q.boost) for t in texts])
        return q.apply(walk)  # a copy with every child bounded (leaves: unchanged)

    return walk(query)
