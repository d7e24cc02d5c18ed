"""Every user-facing string of the code and templates has its Spanish translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kb import CHECKOUT_DIR, resource_dir

CATALOGUE = resource_dir("translations") / "es" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}


def extracted_messages() -> set[str]:
    messages = set()
    for root, method in (("kb", "python"), ("templates", "jinja2")):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            Path(CHECKOUT_DIR, root),
            method_map=[("**.py", "python")] if method == "python" else [("**.html", "jinja2")],
            keywords=KEYWORDS,
        ):
            messages.add(message if isinstance(message, str) else message[0])
    return messages


def test_every_ui_string_has_a_spanish_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="es")
    missing = sorted(m for m in extracted_messages() if m not in catalogue)
    untranslated = sorted(
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id
        and (not all(message.string) if isinstance(message.string, tuple) else not message.string)
    )
    fuzzy = sorted(str(m.id) for m in catalogue if m.id and m.fuzzy)
    assert missing == [], f"not in the Spanish catalogue (run `make extract`): {missing}"
    assert untranslated == [], f"without a Spanish translation: {untranslated}"
    assert fuzzy == [], f"fuzzy (check and unmark): {fuzzy}"


def test_the_extraction_finds_the_interface_strings():
    messages = extracted_messages()
    assert "Practices" in messages and "Page not found" in messages
    assert ("%(num)d practice") in messages
