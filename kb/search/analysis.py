"""Text analysis: English stemming, Spanish stemming that ignores accents, and a bilingual mix."""

from __future__ import annotations

from functools import cache, lru_cache

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

_spanish_stem = stemmer_for_language("es")
_english_stem = stemmer_for_language("en")


def fold(text: str) -> str:
    """Remove accents: contratación -> contratacion."""
    return text.translate(accent_map)


# Endings that the Snowball stemmer only recognises with their accent (-ción, -sión).
_ACCENTED_ENDINGS = (("cion", "ción"), ("sion", "sión"))


def _reaccent(word: str) -> str:
    for plain_ending, accented in _ACCENTED_ENDINGS:
        if word.endswith(plain_ending):
            return word[: -len(plain_ending)] + accented
    return word


# Snowball stemming is the costliest step of indexing and highlighting; words repeat a lot.
@lru_cache(maxsize=200_000)
def spanish_forms(word: str) -> tuple[str, ...]:
    """The forms a Spanish word is indexed and searched under (see VariantsFilter)."""
    folded = fold(word)
    return (
        fold(_spanish_stem(word)),
        _spanish_stem(folded),
        fold(_spanish_stem(_reaccent(folded))),
    )


@lru_cache(maxsize=200_000)
def bilingual_forms(word: str) -> tuple[str, ...]:
    """A name searched in either language: the folded word, its English and Spanish stems."""
    return (fold(word), _english_stem(fold(word)), *spanish_forms(word))


class VariantsFilter(Filter):
    """Emits several forms of each token at the same position.

    A stemmer alone misses unaccented Spanish queries (``contratación`` stems to ``contrat`` but
    ``contratacion`` does not), and folding before stemming breaks the accented forms. Indexing
    and querying every variant at one position makes all of them meet; the token keeps its
    original characters, so highlighting still marks the word as written.
    """

    FORMS = {"spanish": spanish_forms, "bilingual": bilingual_forms}

    def __init__(self, forms: str):
        self.forms = forms  # a name, so that the schema stays picklable

    def __eq__(self, other):
        return type(other) is type(self) and other.forms == self.forms

    def __call__(self, tokens):
        forms = self.FORMS[self.forms]
        for token in tokens:
            seen = set()
            for text in forms(token.text):
                if text and text not in seen:
                    seen.add(text)
                    token.text = text
                    yield token


_STOP_ES = frozenset(stopwords_for_language("es")) | {fold(w) for w in stopwords_for_language("es")}
_STOP_EN = frozenset(stopwords_for_language("en"))


@cache
def english():
    """Lowercase, drop English stop words, fold accents, Porter-stem."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=_STOP_EN, minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(lang="en", cachesize=50000)
    )


@cache
def spanish():
    """Lowercase, drop Spanish stop words, then both fold(stem(w)) and stem(fold(w))."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=_STOP_ES, minsize=1)
        | VariantsFilter("spanish")
    )


@cache
def bilingual():
    """For names and labels searched in either language: folded word plus both stems."""
    return RegexTokenizer() | LowercaseFilter() | VariantsFilter("bilingual")


@cache
def plain():
    """Whole words, lowercased and folded: the vocabulary for spelling suggestions."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)
