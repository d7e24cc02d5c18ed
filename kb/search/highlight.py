"""Highlighting a stored passage: Whoosh's context fragments and HTML marks, without running
the whole analyzer over the passage.

Whoosh's ``highlight()`` analyses every word of the passage (stop words, accent folding,
stemming, a token per variant) on every search, which was most of a search's time. Here the
passage is split with the tokenizer's own pattern and each distinct word is analysed once per
process (a cache of words), so a passage costs a regular expression scan and dictionary lookups.
Fragments follow Whoosh's ContextFragmenter, scores its BasicFragmentScorer and marks its
HtmlFormatter (``<mark class="match termN">``), with the text around them escaped.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import escape
from whoosh.support.charset import accent_map

from kb.search.schema import SCHEMA_ANALYZERS

# The pattern of Whoosh's RegexTokenizer, which every highlighted field's analyzer starts with.
_TOKEN = re.compile(r"\w+(\.?\w+)*", re.UNICODE)
MAX_CHARS = 240
SURROUND = 60
TOP = 2
BETWEEN = " … "
MAX_CLASSES = 5


_BY_ANALYZER: dict[int, dict[str, tuple[str, ...]]] = {}
# Per field, its analyzer's words (a title and its text share one analyzer, and the words).
_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    field: _BY_ANALYZER.setdefault(id(analyzer), {}) for field, analyzer in SCHEMA_ANALYZERS.items()
}
_MAX_WORDS = 50_000  # per analyzer; the cache starts again past this


def forms(field: str, word: str) -> tuple[str, ...]:
    """The index terms ``word`` (lowercased) stands for in ``field`` (none for a stop word)."""
    known = _FORMS[field]
    found = known.get(word)
    if found is None:
        if len(known) >= _MAX_WORDS:
            known.clear()
        found = known[word] = tuple(dict.fromkeys(t.text for t in SCHEMA_ANALYZERS[field](word)))
    return found


@dataclass
class _Fragment:
    start: int
    end: int
    matches: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, term)

    @property
    def score(self) -> int:
        return len(self.matches) * (len({term for *_span, term in self.matches}) * 100 or 1)


def _letters() -> dict[str, str]:
    """Per folded letter, every character that folds to it (accent_map maps one to one)."""
    out: dict[str, set[str]] = {}
    for source, target in accent_map.items():
        out.setdefault(target.lower(), {target.lower()}).add(chr(source).lower())
    return {letter: "".join(sorted(chars)) for letter, chars in out.items()}


_LETTERS = _letters()
MAX_WINDOW_TERMS = 4
PREFIX = 2  # Porter may change a stem's third letter: using -> use, crying -> cri


@lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Words that may stand for one of ``terms``: those starting with a term's first letters,
    accents and case aside (a stem begins like its word, folded)."""

    def letter(char: str) -> str:
        return f"[{re.escape(_LETTERS.get(char, char))}]"

    prefixes = sorted({"".join(letter(c) for c in term[:PREFIX]) for term in terms if term})
    return re.compile(rf"(?<!\w)(?:{'|'.join(prefixes) or '(?!)'})", re.IGNORECASE)


def _windows(text: str, field: str, terms: set[str]):
    """Stretches of ``text`` around the words that match: past MAX_CHARS + SURROUND from them
    the fragmenter's state cannot reach (a fragment closes within SURROUND characters of its
    last match), so scanning only these gives the fragments a full scan gives. Words are
    found by their first letters, then checked."""
    reach = MAX_CHARS + SURROUND
    start = end = None
    for candidate in _candidates(frozenset(terms)).finditer(text):
        token = _TOKEN.match(text, candidate.start())
        if not token or not any(f in terms for f in forms(field, token.group().lower())):
            continue
        if end is not None and token.start() - reach <= end:
            end = token.end() + reach
            continue
        if end is not None:
            yield start, min(end, len(text))
        start, end = max(0, token.start() - reach), token.end() + reach
    if end is not None:
        yield start, min(end, len(text))


def _tokens(text: str, field: str, terms: set[str], scan_all: bool = False):
    """(start, end, matched term or None) for each word of ``text`` (of the stretches that
    may hold a match, unless ``scan_all``)."""
    known = _FORMS[field]
    # Many terms (a thesaurus's equivalents) make most words candidates: then a plain scan.
    scan_all = scan_all or len(terms) > MAX_WINDOW_TERMS
    spans = [(0, len(text))] if scan_all else _windows(text, field, terms)
    # Within the stretches, only words beginning like a term are analysed, as in _windows.
    candidate = None if scan_all else _candidates(frozenset(terms))
    for match in (m for start, end in spans for m in _TOKEN.finditer(text, start, end)):
        if candidate is not None and not candidate.match(text, match.start()):
            yield match.start(), match.end(), None
            continue
        word = match.group().lower()
        found = known.get(word)
        if found is None:
            found = forms(field, word)
        hit = None
        for form in found:
            if form in terms:
                hit = form
                break
        yield match.start(), match.end(), hit


def _fragments(text: str, field: str, terms: set[str], scan_all: bool = False):
    """Whoosh's ContextFragmenter(maxchars=240, surround=60), over one token per word."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    matches: list[tuple[int, int, str]] = []
    end = None
    length = 0
    for start, end, hit in _tokens(text, field, terms, scan_all):
        size = end - start
        if countdown < 0 and hit is None:
            firsts.append(start)
            while firsts and end - firsts[0] > SURROUND:
                firsts.popleft()
        elif length + size > MAX_CHARS:
            countdown = 0
        elif hit is not None:
            countdown = SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += SURROUND
            matches.append((start, end, hit))
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield _Fragment(first, end, matches)
                matches, firsts, first, length = [], deque(), None, 0
    if matches:
        yield _Fragment(first, end, matches)


def highlight(text: str, field: str, terms: set[str], scan_all: bool = False) -> str:
    """The best passages of ``text`` with the words standing for ``terms`` (index terms of
    ``field``) marked, as HTML; empty when no word matches. Only the stretches around words
    that may match are read (``scan_all`` reads every word: the same result, for tests)."""
    fragments = [f for f in _fragments(text, field, terms, scan_all) if f.matches]
    if not fragments:
        return ""
    best = sorted(fragments, key=lambda f: -f.score)[:TOP]  # stable: the first of equals
    best.sort(key=lambda f: f.start)
    seen: dict[str, int] = {}
    out = []
    for fragment in best:
        parts, index = [], fragment.start
        for start, end, _term in fragment.matches:
            if start < index:
                continue
            parts.append(str(escape(text[index:start])))
            word = str(escape(text[start:end]))
            number = seen.setdefault(word, len(seen) % MAX_CLASSES)
            parts.append(f'<mark class="match term{number}">{word}</mark>')
            index = end
        parts.append(str(escape(text[index : fragment.end])))
        out.append("".join(parts))
    return BETWEEN.join(out)
