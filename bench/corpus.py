"""The synthetic corpus and the query mix of the search benchmark (bench/search_bench.py).

Texts are drawn from wordfreq's 30,000 most frequent words of each language, each word as
often as it is used (Zipf), with terms and phrases of fair recruitment put in at a steady rate.
The queries are drawn from the generated texts, their words from three bands of document
frequency measured on the corpus itself, so that each query type has rare, middling and
frequent words.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from sqlalchemy import select
from whoosh.lang import stopwords_for_language

from kb.extensions import db
from kb.models import (
    Corridor,
    Country,
    Implementation,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Scope,
    Status,
    Theme,
)

LANGS = ("en", "es")
WORD = re.compile(r"[^\W\d_]+")
TOP_WORDS = 30_000
# Terms and phrases of the domain, most used first (drawn with Zipf weights too).
DOMAIN = {
    "en": """recruitment | migrant workers | recruitment fees | employers | fair recruitment
    | labour migration | bilateral agreement | labour inspection | employment agencies
    | forced labour | domestic workers | public employment services | seasonal workers
    | agricultural workers | recruitment agencies | related costs | trade unions | remittances
    | due diligence | social dialogue | grievance mechanism | contract substitution
    | debt bondage | passport retention | ethical recruitment | employer pays principle
    | memorandum of understanding | licensing | complaints | wage protection
    | skills recognition | labour attaché | predeparture orientation | return and reintegration
    | visa sponsorship | placement fees | informal intermediaries | worker voice | ILO | IOM""",
    "es": """contratación | trabajadores migrantes | comisiones de contratación | empleadores
    | contratación equitativa | migración laboral | acuerdo bilateral | inspección del trabajo
    | agencias de empleo | trabajo forzoso | trabajadoras domésticas | servicio público de empleo
    | trabajadores temporeros | trabajadores agrícolas | agencias de contratación
    | costos conexos | sindicatos | remesas | debida diligencia | diálogo social
    | mecanismo de quejas | sustitución de contratos | servidumbre por deudas
    | retención de pasaportes | contratación ética | el empleador paga
    | memorando de entendimiento | licencias | denuncias | protección salarial
    | reconocimiento de competencias | agregado laboral | orientación previa a la partida
    | retorno y reintegración | visados | reclutamiento | intermediarios informales
    | voz de los trabajadores | OIT | OIM""",
}
DOMAIN_RATE = 0.3  # share of sentences (and titles) that hold one domain term or phrase
STOP = frozenset(stopwords_for_language("en")) | frozenset(stopwords_for_language("es"))
KINDS = ("one-word", "two-word", "phrase", "fielded", "filtered")
BANDS = ("rare", "middling", "frequent")
# Bands by rank of document frequency among the words a query may use (3+ letters, no stop
# word): the 100 most frequent, the next 2,900, then the rest.
BAND_RANKS = (100, 3000)


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


class Vocabulary:
    """Each language's most frequent words, drawn with their frequencies, and domain terms."""

    def __init__(self, rng: random.Random):
        import wordfreq  # here: the serving process that search_bench.py measures never loads it

        self.rng = rng
        self.words, self.domain = {}, {}
        for lang in LANGS:
            words = [w for w in wordfreq.top_n_list(lang, TOP_WORDS) if WORD.fullmatch(w)]
            weights = accumulate(wordfreq.word_frequency(w, lang) for w in words)
            self.words[lang] = (words, list(weights))
            terms = [t.split() for t in DOMAIN[lang].split("|")]
            self.domain[lang] = (terms, list(accumulate(1 / (r + 1) for r in range(len(terms)))))

    def draw(self, lang: str, n: int) -> list[str]:
        """``n`` words, and at the rate of DOMAIN_RATE a domain term put in among them."""
        words, weights = self.words[lang]
        out = self.rng.choices(words, cum_weights=weights, k=n)
        if self.rng.random() < DOMAIN_RATE:
            terms, term_weights = self.domain[lang]
            at = self.rng.randint(0, len(out))
            out[at:at] = self.rng.choices(terms, cum_weights=term_weights)[0]
        return out

    def title(self, lang: str) -> str:
        return " ".join(self.draw(lang, self.rng.randint(5, 11))).capitalize()

    def sentences(self, lang: str, n: int) -> str:
        out, left = [], n
        while left > 0:
            k = min(left, self.rng.randint(8, 22))
            sentence = " ".join(self.draw(lang, k))
            out.append(sentence[0].upper() + sentence[1:] + ".")
            left -= k
        return " ".join(out)


@dataclass
class Sample:
    """One generated practice kept whole for drawing queries: its words in order."""

    text: dict[str, list[str]]
    title: dict[str, list[str]]
    countries: list[str]


@dataclass
class Corpus:
    """Document frequencies of the generated words, and a sample of the practices."""

    documents: int = 0
    text_df: dict[str, Counter] = field(default_factory=lambda: {g: Counter() for g in LANGS})
    title_df: dict[str, Counter] = field(default_factory=lambda: {g: Counter() for g in LANGS})
    samples: list[Sample] = field(default_factory=list)

    def add(self, practice: Practice, countries: list[str], keep: bool) -> None:
        self.documents += 1
        text, title = {}, {}
        for lang, t in practice.translations.items():
            title[lang] = words_of(t.title)
            text[lang] = title[lang] + words_of(f"{t.summary} {t.body}")
            self.text_df[lang].update(set(text[lang]))
            self.title_df[lang].update(set(title[lang]))
        if keep:
            self.samples.append(Sample(text, title, countries))


def generate(count: int, start_id: int, rng: random.Random, progress, batch: int = 500):
    """Insert ``count`` published practices; returns (Corpus, seconds it took)."""
    vocab = Vocabulary(rng)
    themes = db.session.scalars(select(Theme)).all()
    pillars = db.session.scalars(select(Pillar)).all()
    corridors = db.session.scalars(select(Corridor)).all()
    # with their codes: the objects are detached (and expired) after each batch
    countries = [(c, c.code) for c in db.session.scalars(select(Country))]
    organisations = db.session.scalars(select(Organisation)).all()
    corpus = Corpus()
    every = max(1, count // 500)  # about 500 practices sampled for the queries
    started = time.perf_counter()
    for first in range(0, count, batch):
        for n in range(first, min(first + batch, count)):
            practice = Practice(
                id=start_id + n,
                slug=f"synthetic-{start_id + n}",
                status=Status.published,
                scope=Scope.corridor,
                start_year=rng.randint(1970, 2025),
                implementation_status=rng.choice(list(Implementation)),
                is_curated=False,
            )
            for lang in LANGS:
                practice.translations[lang] = PracticeTranslation(
                    language=lang,
                    title=vocab.title(lang),
                    summary=vocab.sentences(lang, rng.randint(25, 45)),
                    body=vocab.sentences(lang, rng.randint(150, 400)),
                )
            practice.themes = rng.sample(themes, rng.randint(1, 3))
            practice.pillars = rng.sample(pillars, rng.randint(1, 2))
            practice.corridors = rng.sample(corridors, rng.randint(0, 3))
            chosen = rng.sample(countries, rng.randint(1, 2))
            practice.countries = [country for country, _code in chosen]
            practice.organisation_links = [
                PracticeOrganisation(organisation=org, role="implementer")
                for org in rng.sample(organisations, rng.randint(1, 3))
            ]
            corpus.add(practice, [code for _country, code in chosen], keep=n % every == 0)
            db.session.add(practice)
        db.session.commit()
        db.session.expunge_all()
        progress(f"generated {min(first + batch, count):,}/{count:,} practices")
    return corpus, time.perf_counter() - started


# --- queries --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    kind: str
    band: str
    lang: str
    text: str
    country: str | None = None


def usable(word: str) -> bool:
    return len(word) >= 3 and word not in STOP


def bands(df: Counter) -> dict[str, str]:
    """Each usable word -> its band, by its rank of document frequency."""
    ranked = sorted((w for w in df if usable(w)), key=lambda w: (-df[w], w))
    frequent, middling = BAND_RANKS
    return {
        w: "frequent" if rank < frequent else "middling" if rank < middling else "rare"
        for rank, w in enumerate(ranked)
    }


def band_ranges(corpus: Corpus, lang: str) -> dict[str, tuple[int, int]]:
    """The document frequencies each band spans in ``lang``'s texts: band -> (least, most)."""
    df = corpus.text_df[lang]
    spans: dict[str, list[int]] = {}
    for word, band in bands(df).items():
        spans.setdefault(band, []).append(df[word])
    return {band: (min(v), max(v)) for band, v in spans.items()}


def band_of(words: list[str], banding: dict[str, str]) -> str:
    """The band of the least frequent word (words outside the banding do not count)."""
    known = [banding[w] for w in words if w in banding]
    return min(known, key=BANDS.index) if known else "frequent"


def fits(words: list[str], band: str | None, banding: dict[str, str]) -> bool:
    """Whether a query may use ``words``, and they are in ``band`` (None: any band)."""
    return all(map(usable, words)) and band in (None, band_of(words, banding))


def draw(kind: str, lang: str, band: str, corpus: Corpus, banding, rng) -> Query:
    """One query of ``kind`` whose words are in ``band``, taken from a sampled practice."""
    for attempt in range(200):
        sample = rng.choice(corpus.samples)
        words = (sample.title if kind == "fielded" else sample.text)[lang]
        band_or_any = band if attempt < 150 else None  # a small corpus may lack the band
        if kind == "phrase":
            windows = [words[i : i + n] for n in (3, 2) for i in range(len(words) - n + 1)]
            fit = [" ".join(ws) for ws in windows if fits(ws, band_or_any, banding)]
        else:
            fit = sorted({w for w in words if fits([w], band_or_any, banding)})
        if len(fit) >= (2 if kind == "two-word" else 1):
            break
    else:
        raise SystemExit("too few generated practices to draw the queries from")
    text = " ".join(rng.sample(fit, 2)) if kind == "two-word" else rng.choice(fit)
    text = {"phrase": f'"{text}"', "fielded": f"title:{text}"}.get(kind, text)
    country = rng.choice(sample.countries) if kind == "filtered" else None
    return Query(kind, band, lang, text, country)


def domain_query(kind: str, lang: str, corpus: Corpus, banding, rng) -> Query:
    """A query of ``kind`` made of one of the domain terms."""
    sizes = {"two-word": (2,), "phrase": (2, 3, 4)}.get(kind, (1,))
    term = rng.choice([t.strip() for t in DOMAIN[lang].split("|") if len(t.split()) in sizes])
    band = band_of(words_of(term), banding)
    text = {"phrase": f'"{term}"', "fielded": f"title:{term}"}.get(kind, term)
    country = rng.choice(rng.choice(corpus.samples).countries) if kind == "filtered" else None
    return Query(kind, band, lang, text, country)


def make_queries(corpus: Corpus, rng: random.Random, per_band: int = 6) -> list[Query]:
    """``per_band`` queries of each type, language and band, and two domain queries of each
    type and language (200 queries with the defaults)."""
    text_bands = {lang: bands(corpus.text_df[lang]) for lang in LANGS}
    title_bands = {lang: bands(corpus.title_df[lang]) for lang in LANGS}
    queries = []
    for kind in KINDS:
        for lang in LANGS:
            banding = (title_bands if kind == "fielded" else text_bands)[lang]
            for band in BANDS:
                queries += [draw(kind, lang, band, corpus, banding, rng) for _ in range(per_band)]
            queries += [domain_query(kind, lang, corpus, banding, rng) for _ in range(2)]
    return queries
