"""Suggestions as one types: practice titles, organisations, countries, corridors and themes
whose words start with the words typed, accents and case ignored.

Everything is read from the index, once per index generation (like the facet sets of
bitsets.py), so a keystroke costs a few dictionary and array look-ups and no database query.
Practice titles come from the stored fields, read per segment and kept while the segment lives
(reading them all takes about 0.7 s at 10,000 practices; an edit only adds a small segment).
Countries, corridors and themes are the facet values of live documents; their names come from
Babel and from the labels the caller passes, which are asked for only when a generation is built.
"""

from __future__ import annotations

import re
import threading
import weakref
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kb.models.taxonomy import country_name
from kb.search.analysis import fold
from kb.search.bitsets import mask_to_ids, segments
from kb.search.schema import LANGS

MIN_CHARS = 2  # fewer typed letters suggest nothing: too many things start with one letter
MAX_CHARS = 100  # longer input is cut here
MAX_WORDS = 6
DEFAULT_LIMIT = 8
# Kinds other than practices, in the order they are offered when they rank alike.
NAMED_KINDS = ("country", "corridor", "theme", "organisation")

# A word with inner hyphens, dots, slashes or apostrophes (H-2A, ITUC/TUCA, 10.7.1) is one
# token; it is found by each of its parts and by its parts written together (h2a).
_TOKEN = re.compile(r"[^\W_]+(?:[-\u2010\u2011\u2013./'\u2019][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[list[str]]:
    """Each token's parts, folded and lowercased."""
    return [
        [token] if token.isalnum() else _PART.findall(token)
        for token in _TOKEN.findall(fold(text).lower())
    ]


def _words(tokens: list[list[str]]) -> list[str]:
    out: list[str] = []
    for parts in tokens:
        out += parts
        if len(parts) > 1:
            out.append("".join(parts))
    return out


def words(text: str) -> list[str]:
    """The words a label is found by, in order: each part, and each compound written whole."""
    return _words(_tokens(text))


def _lead(tokens: list[list[str]]) -> set[str]:
    """The forms of a label's first word (its first part, or its parts written together)."""
    return {tokens[0][0], "".join(tokens[0])} if tokens else set()


def typed_words(text: str) -> list[str]:
    """What was typed as prefixes: folded, lowercased, compounds written together; [] when too
    short to suggest anything."""
    typed = ["".join(parts) for parts in _tokens(text[:MAX_CHARS])][:MAX_WORDS]
    return typed if sum(map(len, typed)) >= MIN_CHARS else []


@dataclass(frozen=True)
class Labels:
    """Names the index does not store, each already in both languages (the caller applies the
    language fallback): theme slug -> lang -> name; organisations as (names, acronyms) by lang."""

    themes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    organisations: Sequence[tuple[Mapping[str, str], Mapping[str, str]]] = ()


@dataclass(frozen=True)
class Suggestion:
    label: str
    kind: str  # practice, organisation, country, corridor or theme
    key: str  # practice id, organisation query, ISO2 code, corridor slug or theme slug
    lang: str  # the language of the label


# --- practice titles ------------------------------------------------------------------------
@dataclass
class _Titles:
    """One language's practice titles: word -> document numbers, sorted for prefix ranges."""

    keys: list[str]
    postings: list[np.ndarray]
    lead_keys: list[str]
    lead_postings: list[np.ndarray]
    labels: list[str | None]  # by document number
    lengths: np.ndarray  # title lengths by document number, to prefer short titles


def _sorted(table: dict[str, list[np.ndarray]]) -> tuple[list[str], list[np.ndarray]]:
    keys = sorted(table)
    return keys, [np.concatenate(table[k]) if len(table[k]) > 1 else table[k][0] for k in keys]


def _read_segment(reader) -> dict:
    """Titles and words of one segment's documents, by local document number."""
    size = reader.doc_count_all()
    out: dict = {"ids": np.zeros(size, dtype=np.int64)}
    for lang in LANGS:
        out[lang] = {"words": {}, "lead": {}, "labels": [None] * size}
    for docnum, stored in reader.iter_docs():
        out["ids"][docnum] = int(stored["id"])
        for lang in LANGS:
            title = stored.get(f"title_{lang}")
            if not title:
                continue
            part = out[lang]
            part["labels"][docnum] = title
            tokens = _tokens(title)
            for word in set(_words(tokens)):
                part["words"].setdefault(word, []).append(docnum)
            for word in _lead(tokens):
                part["lead"].setdefault(word, []).append(docnum)
    for lang in LANGS:
        for table in ("words", "lead"):
            part = out[lang][table]
            for word, docs in part.items():
                part[word] = np.asarray(docs, dtype=np.int32)
    return out


def _combine(parts: list[tuple[dict, int]], size: int, lang: str) -> _Titles:
    tables: dict[str, dict[str, list[np.ndarray]]] = {"words": {}, "lead": {}}
    labels: list[str | None] = [None] * size
    for local, offset in parts:
        part = local[lang]
        for name, table in tables.items():
            for word, docs in part[name].items():
                table.setdefault(word, []).append(docs + offset if offset else docs)
        labels[offset : offset + len(part["labels"])] = part["labels"]
    keys, postings = _sorted(tables["words"])
    lead_keys, lead_postings = _sorted(tables["lead"])
    lengths = np.fromiter((len(t) if t else 0 for t in labels), dtype=np.int32, count=size)
    return _Titles(keys, postings, lead_keys, lead_postings, labels, lengths)


def _prefixed(keys: list[str], postings: list[np.ndarray], prefix: str) -> np.ndarray:
    """The documents having a word that starts with ``prefix``."""
    first = bisect_left(keys, prefix)
    last = bisect_left(keys, prefix + "\U0010ffff", lo=first)
    if first == last:
        return np.empty(0, dtype=np.int32)
    if last - first == 1:
        return postings[first]
    return np.unique(np.concatenate(postings[first:last]))


def _practices(titles: _Titles, alive: np.ndarray, typed: list[str], limit: int) -> list[int]:
    """Up to ``limit`` document numbers whose title has every typed prefix: titles that start
    with the first typed word first, then shorter titles."""
    found = None
    for word in sorted(typed, key=len, reverse=True):  # the longest narrows most
        docs = _prefixed(titles.keys, titles.postings, word)
        found = docs if found is None else np.intersect1d(found, docs, assume_unique=True)
        if not len(found):
            return []
    found = found[alive[found]]
    leading = np.isin(found, _prefixed(titles.lead_keys, titles.lead_postings, typed[0]))
    order = np.lexsort((found, titles.lengths[found], ~leading))
    return [int(doc) for doc in found[order[:limit]]]


# --- named things: countries, corridors, themes, organisations ------------------------------
@dataclass(frozen=True)
class _Named:
    kind: str
    keys: Mapping[str, str]  # lang -> URL key (an organisation's query names it by language)
    labels: Mapping[str, str]  # lang -> label
    haystack: str  # " word word ..." of every language's label, for prefix tests
    lead: Mapping[str, frozenset[str]]  # lang -> forms of the label's first word
    codes: frozenset[str]  # acronyms and codes written whole (ilo, mx, mxca): typed, they win
    count: int  # live practices with it: the busier first

    def matches(self, typed: list[str]) -> bool:
        return all(f" {word}" in self.haystack for word in typed)


def _compact(text: str) -> str:
    return "".join(part for parts in _tokens(text) for part in parts)


def _named(kind, keys, labels, codes: Sequence[str] = (), count: int = 0) -> _Named:
    found = {w for text in (*labels.values(), *codes) if text for w in words(text)}
    return _Named(
        kind=kind,
        keys=keys if isinstance(keys, Mapping) else dict.fromkeys(LANGS, keys),
        labels=labels,
        haystack="".join(f" {w}" for w in sorted(found)),
        lead={lang: frozenset(_lead(_tokens(labels[lang]))) for lang in LANGS},
        codes=frozenset(_compact(code) for code in codes if code),
        count=count,
    )


def _live_counts(values: Mapping[str, int], live: int) -> dict[str, int]:
    return {value: n for value, mask in values.items() if (n := (mask & live).bit_count())}


def _organisation(searcher, names, acronyms) -> _Named | None:
    """An organisation some indexed practice names (every term of a name of it is in the
    ``org`` field); it leads to a search for its name."""
    reader, org = searcher.reader(), searcher.schema["org"]
    texts = [t for t in (*names.values(), *acronyms.values()) if t]
    if not any(all(("org", term) in reader for term in org.process_text(t)) for t in texts):
        return None
    labels, keys = {}, {}
    for lang in LANGS:
        name = names.get(lang) or next(filter(None, names.values()), "")
        acronym = acronyms.get(lang)
        labels[lang] = f"{name} ({acronym})" if acronym and acronym != name else name
        keys[lang] = 'org:"{}"'.format(name.replace('"', ""))
    return _named("organisation", keys, labels, list(acronyms.values()))


def _named_things(searcher, sets, live, labels: Labels) -> list[_Named]:
    names: dict[str, dict[str, str]] = {}

    def country(code: str) -> dict[str, str]:
        if code not in names:
            names[code] = {lang: country_name(code, lang) for lang in LANGS}
        return names[code]

    out = [
        _named("country", code, country(code), [code], n)
        for code, n in _live_counts(sets.get("country", {}), live).items()
    ]
    for slug, n in _live_counts(sets.get("corridor", {}), live).items():
        origin, _, destination = slug.partition("-")
        ends = country(origin), country(destination)
        label = {lang: f"{ends[0][lang]} → {ends[1][lang]}" for lang in LANGS}
        out.append(_named("corridor", slug, label, [slug], n))
    for slug, n in _live_counts(sets.get("theme", {}), live).items():
        theme = labels.themes.get(slug) or dict.fromkeys(LANGS, slug.replace("-", " "))
        out.append(_named("theme", slug, theme, count=n))
    for org_names, acronyms in labels.organisations:
        if (entry := _organisation(searcher, org_names, acronyms)) is not None:
            out.append(entry)
    return out


# --- one generation of the index ------------------------------------------------------------
@dataclass
class _Catalogue:
    titles: dict[str, _Titles]
    alive: np.ndarray  # by document number
    ids: np.ndarray  # practice id by document number
    named: list[_Named]

    def suggest(self, typed: list[str], lang: str, limit: int) -> list[Suggestion]:
        other = next(code for code in LANGS if code != lang)
        docs: dict[int, str] = {}  # document -> language of the title that matched
        for code in (lang, other):  # the page's language first, the other for the rest
            for doc in _practices(self.titles[code], self.alive, typed, limit):
                docs.setdefault(doc, code)
        whole = "".join(typed)
        named = sorted(
            (entry for entry in self.named if entry.matches(typed)),
            key=lambda e: (
                whole not in e.codes,
                not any(form.startswith(typed[0]) for form in e.lead[lang]),
                NAMED_KINDS.index(e.kind),
                -e.count,
                e.labels[lang],
            ),
        )
        # Named things take at most half the places while practices can fill the rest.
        named = named[: max(limit // 2, limit - len(docs))]
        out = [Suggestion(e.labels[lang], e.kind, e.keys[lang], lang) for e in named]
        for doc, code in list(docs.items())[: limit - len(out)]:
            label = self.titles[code].labels[doc]
            out.append(Suggestion(label, "practice", str(self.ids[doc]), code))
        return out


class _Cache:
    """The catalogue of the newest generation, and each live segment's titles."""

    def __init__(self):
        self._lock = threading.Lock()
        self._generation = None
        self._catalogue: _Catalogue | None = None
        self._segments: dict[str, dict] = {}

    def catalogue(self, index, searcher, labels: Callable[[], Labels]) -> _Catalogue:
        with self._lock:
            generation = searcher.reader().generation()
            if self._catalogue is not None and self._generation == generation:
                return self._catalogue
            parts, current = [], set()
            for sub, offset in segments(searcher):
                reader = sub.reader()
                segment = reader.segment()
                key = segment.segment_id() if segment is not None else None
                local = self._segments.get(key) if key else None
                if local is None:
                    local = _read_segment(reader)
                    if key:
                        self._segments[key] = local
                current.add(key)
                parts.append((local, offset))
            self._segments = {k: v for k, v in self._segments.items() if k in current}
            size = searcher.doc_count_all()
            sets, live = index.facets.for_searcher(searcher)
            alive = np.zeros(size, dtype=bool)
            alive[mask_to_ids(live, size)] = True
            ids = np.zeros(size, dtype=np.int64)
            for local, offset in parts:
                ids[offset : offset + len(local["ids"])] = local["ids"]
            self._catalogue = _Catalogue(
                titles={lang: _combine(parts, size, lang) for lang in LANGS},
                alive=alive,
                ids=ids,
                named=_named_things(searcher, sets, live, labels()),
            )
            self._generation = generation
            return self._catalogue


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_for(index) -> _Cache:
    with _caches_lock:
        if index not in _caches:
            _caches[index] = _Cache()
        return _caches[index]


def suggest(
    index, text: str, lang: str, labels: Callable[[], Labels], limit: int = DEFAULT_LIMIT
) -> list[Suggestion]:
    """Up to ``limit`` suggestions for what was typed, for a page in ``lang``.

    ``labels`` is called only when the index has changed since the last call (and on the
    first), so that a keystroke needs no database query.
    """
    typed = typed_words(text)
    if not typed or limit < 1:
        return []
    searcher = index.searcher()
    return _cache_for(index).catalogue(index, searcher, labels).suggest(typed, lang, limit)
