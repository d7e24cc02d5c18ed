"""WTForms classes: they validate input and build the services' input objects (to_input());
no queries and no business logic here."""

from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3+ wants its choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]
