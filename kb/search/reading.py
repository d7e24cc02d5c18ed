"""Reading a query the way a researcher means it.

The typed text is split into items. Quoted phrases, ``-word``, ``+word`` and ``field:value``
are strict: a practice must satisfy them. Plain words are soft: when no practice holds all of
them, practices are ranked by how many they hold (query.py). Each plain word that is a code
(H-2A, C181, 10.7.1) is also looked up whole in the ``codes`` field, and a run of plain words
that is a thesaurus term (tarjeta sanitaria) also searches its equivalents (carné sanitario,
health card), with a lower weight so that the words as typed rank first. A query written with
explicit operators or parentheses keeps its strict meaning: only its codes are read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kb.search import analysis, codes
from kb.search.analysis import fold

OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
EQUIVALENT_BOOST = 0.5
CODE_BOOST = 2.0
MAX_TERM_WORDS = 6
_TOKENS = re.compile(r'[+-]?"[^"]*"(?:~\d+)?|\S+')
_FIELD = re.compile(r"^[+-]?([a-z_]+):")
_EDGE = re.compile(r"^[^\w*?]+|[^\w*?]+$")


class Thesaurus:
    """Groups of equivalent terms, looked up by their folded, lowercased words. A term may
    come with its language, ``("es", "cobros")``: equivalents that the index reads alike in
    their language (fee, fees) are then searched once."""

    def __init__(self, groups: Iterable[Iterable[str | tuple[str, str]]] = ()):
        self.groups: list[tuple[str, ...]] = []
        self._languages: dict[str, str] = {}
        self._index: dict[tuple[str, ...], int] = {}
        for group in groups:
            terms = []
            for entry in group:
                lang, term = entry if isinstance(entry, tuple) else ("", entry)
                if (term := term.strip()) and term not in terms:
                    terms.append(term)
                    self._languages.setdefault(term, lang)
            if len(terms) < 2:
                continue
            for term in terms:
                self._index.setdefault(self.key(term), len(self.groups))
            self.groups.append(tuple(terms))

    @staticmethod
    def key(text: str) -> tuple[str, ...]:
        return tuple(fold(text.lower()).split())

    def __len__(self) -> int:
        return len(self.groups)

    def equivalents(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """The other terms of the group ``words`` belong to, one per indexed form (fee and
        fees are searched once), or None."""
        index = self._index.get(tuple(fold(w.lower()) for w in words))
        if index is None:
            return None
        typed = " ".join(words)
        seen = {_indexed_form(typed, lang) for lang in ("en", "es")}
        out = []
        for term in self.groups[index]:
            if self.key(term) == self.key(typed):
                continue
            form = _indexed_form(term, self._languages.get(term, ""))
            if form not in seen:
                seen.add(form)
                out.append(term)
        return tuple(out)


EMPTY = Thesaurus()


@lru_cache(maxsize=20_000)
def _indexed_form(term: str, lang: str) -> tuple:
    """What the index sees of a term in its language (in both when unknown)."""
    english = ("en", tuple(t.text for t in analysis.english()(term)))
    spanish = ("es", tuple(t.text for t in analysis.spanish()(term)))
    return {"en": english, "es": spanish}.get(lang, (english, spanish))


@dataclass
class Item:
    """One part of the query: its text for the parser, and the words it stands for."""

    text: str
    words: tuple[str, ...]
    strict: bool
    equivalents: tuple[str, ...] = ()


@dataclass
class Reading:
    items: list[Item] = field(default_factory=list)
    # Operators or parentheses: the whole text is parsed as written (codes aside).
    explicit: bool = False
    text: str = ""

    @property
    def equivalents(self) -> list[tuple[str, tuple[str, ...]]]:
        """(words as typed, equivalents searched too) for each widened item."""
        return [(" ".join(i.words), i.equivalents) for i in self.items if i.equivalents]


def _clean(word: str) -> str:
    """A plain word without surrounding punctuation (quotes and colons included)."""
    return _EDGE.sub("", word)


def _code_text(word: str) -> str:
    """H-2A -> (codes:h2a^2 OR "H 2A"): the code whole, or its pieces side by side (and a
    word mixing letters and digits as typed: H2A, C181)."""
    pieces = codes.parts(word)
    options = [f"codes:{codes.normal(word)}^{CODE_BOOST:g}"]
    if codes.MIXED.match(word):
        options.append(word)
    if len(pieces) > 1:
        options.append(f'"{" ".join(pieces)}"')
    if "/" in word and all(p.isalpha() for p in pieces):
        options += pieces  # ITUC/TUCA, SAWP/PTAT: either name
    return f"({' OR '.join(options)})"


def _phrase(term: str) -> str:
    """A term as one quoted phrase unless it is a plain word (a hyphen would read as NOT)."""
    term = re.sub(r'["():^~*?\\]', " ", term).strip()
    return term if re.fullmatch(r"\w+", term) else f'"{term}"'


def _soft_items(words: list[str], thesaurus: Thesaurus) -> list[Item]:
    """Items for a run of adjacent plain words: thesaurus terms (longest first), numbered
    instruments (Convention 181), codes, or the word alone."""
    items: list[Item] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_TERM_WORDS, len(words) - i), 0, -1):
            run = tuple(words[i : i + size])
            equivalents = thesaurus.equivalents(run)
            if equivalents:
                typed = " ".join(_code_text(w) if codes.is_code(w) else w for w in run)
                options = [f"({typed})"]
                # Scores add up: many equivalents together must not outweigh the typed words.
                boost = EQUIVALENT_BOOST / len(equivalents) ** 0.5
                options += [f"{_phrase(t)}^{boost:.3f}" for t in equivalents]
                items.append(Item(f"({' OR '.join(options)})", run, False, equivalents))
                i += size
                break
        else:
            word = words[i]
            after = words[i + 1] if i + 1 < len(words) else ""
            pair = codes.numbered(word, after) if after[:1].isdigit() else None
            if pair:
                typed = f"({word} {_code_text(after) if codes.is_code(after) else after})"
                text = f"(codes:{pair}^{CODE_BOOST:g} OR {typed})"
                items.append(Item(text, (word, after), False))
                i += 2
                continue
            text = _code_text(word) if codes.is_code(word) else word
            items.append(Item(text, (word,), False))
            i += 1
    return items


def read(text: str, fieldnames: Iterable[str], thesaurus: Thesaurus = EMPTY) -> Reading:
    """The items of ``text`` (see the module's docstring)."""
    tokens = _TOKENS.findall(text)
    fields = set(fieldnames)
    explicit = any(t in OPERATORS or "(" in t or ")" in t for t in tokens)
    reading = Reading(explicit=explicit, text=text)
    run: list[str] = []

    def flush() -> None:
        reading.items.extend(_soft_items(run, thesaurus))
        run.clear()

    for token in tokens:
        if explicit:
            bare = _clean(token)
            if token not in OPERATORS and bare and codes.is_code(bare) and bare == token:
                reading.items.append(Item(_code_text(bare), (bare,), True))
            else:
                reading.items.append(Item(token, (token,), True))
            continue
        field_match = _FIELD.match(token)
        if token.startswith('"') or (field_match and field_match.group(1) in fields):
            flush()
            reading.items.append(Item(token, (token,), True))
        elif token[:1] in "+-" and len(token) > 1:
            flush()
            rest = _clean(token[1:])
            body = _code_text(rest) if rest and codes.is_code(rest) else token[1:]
            reading.items.append(Item(token[0] + body, (token,), True))
        elif bare := _clean(token):
            run.append(bare)
    flush()
    return reading


def parse_text(reading: Reading) -> str:
    """The whole reading as one query text (every item required)."""
    return " ".join(item.text for item in reading.items)
