"""WTForms classes: they validate input and build the services' input objects (to_input());
no queries and no business logic here."""

from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3+ wants its choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def one_line(value):
    """A single-line text as typed, minus line breaks, tabs and other control characters."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())
