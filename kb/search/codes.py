"""Codes and identifiers as people type them: H-2A, H2A and "H 2A"; C181, "Convention 181" and
"Convenio núm. 181"; SDG 10.7.1 and 10.7.1; SOR/2022-142; ITUC/TUCA; Ngäbe-Buglé.

Text analysis splits these at their hyphens, dots and slashes (and the query parser reads the
hyphen of "H-2A" as NOT), so each one is also indexed whole, without its separators, in the
``codes`` field; a query's codes are looked up there under the same form. Pure functions.
"""

from __future__ import annotations

import re

from kb.search.analysis import fold

# Words joined by hyphens, dots or slashes: H-2A, 10.7.1, SOR/2022-142, ITUC/TUCA, one-stop.
COMPOUND = re.compile(r"(?<![^\W_])[^\W_]+(?:[-./][^\W_]+)+")  # from a word's start only
# One word mixing letters and digits: C181, H2A, SB477.
MIXED = re.compile(r"^(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+$")
# A kind of instrument and its number: Convention 181, Ley 1636, SDG 10.7.1, Law 69/2020.
NUMBERED = re.compile(
    r"\b(?P<kind>[^\W\d_]+)\.?\s+(?:(?:no|núm|num|nº|n\.º|nr)\.?\s*)?"
    r"(?P<number>\d+(?:[./-]\d+)*)",
    re.IGNORECASE,
)
# The same instrument under its names in both languages, as one prefix.
KINDS = {
    "convention": "c",
    "convenio": "c",
    "c": "c",
    "recommendation": "r",
    "recomendación": "r",
    "recomendacion": "r",
    "r": "r",
    "sdg": "",
    "ods": "",
    "target": "",
    "meta": "",
    "indicator": "",
    "indicador": "",
    "law": "law",
    "ley": "law",
    "lei": "law",
    "decree": "decree",
    "decreto": "decree",
    "decision": "decision",
    "decisión": "decision",
    "resolution": "resolution",
    "resolución": "resolution",
    "resolucion": "resolution",
    "proclamation": "proclamation",
    "proclamación": "proclamation",
    "proclamacion": "proclamation",
    "sb": "sb",
    "rcw": "rcw",
}
_SEPARATORS = re.compile(r"[-./\s]+")
_DIGIT = re.compile(r"\d")
_WITH_DIGIT = re.compile(r"(?<!\S)\S*\d\S*")  # tried from a word's start only
_PUNCT = ".,;:()«»\"'"


def normal(text: str) -> str:
    """The one form of a code: lowercase, no accents, no separators."""
    return _SEPARATORS.sub("", fold(text.lower()))


def numbered(kind: str, number: str) -> str | None:
    prefix = KINDS.get(kind.lower())
    return None if prefix is None else normal(prefix + number)


def codes_in(text: str) -> list[str]:
    """Every code of ``text`` in its one form (repeats kept: they count for ranking)."""
    out = [normal(m.group(0)) for m in COMPOUND.finditer(text)]
    if _DIGIT.search(text):  # both other kinds hold a digit (most texts have none)
        words = _WITH_DIGIT.findall(text)
        out += [normal(word) for word in words if MIXED.match(word.strip(_PUNCT))]
        for m in NUMBERED.finditer(text):
            if code := numbered(m.group("kind"), m.group("number")):
                out.append(code)
    return [code for code in out if len(code) >= 2]


def is_code(word: str) -> bool:
    """Whether a typed word is a code to look up whole (H-2A, C181, 10.7.1, ITUC/TUCA)."""
    return bool(COMPOUND.fullmatch(word) or MIXED.match(word))


def parts(word: str) -> list[str]:
    """The pieces text analysis splits a code into: H-2A -> H, 2A; H2A (as if typed H-2A)
    -> H, 2A; C181 -> C, 181."""
    pieces = [p for p in re.split(r"[-./]", word) if p]
    if len(pieces) == 1:
        pieces = [p for p in _LETTERS_THEN_DIGITS.split(word) if p]
    return pieces


_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
