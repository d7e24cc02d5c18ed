"""The form that proposes or edits a practice, in either language or both."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kb.config import LANGUAGES
from kb.forms import choices, one_line
from kb.services.submissions import OrganisationInput, PracticeInput, SourceInput, TextInput

ROWS = 3  # empty rows offered for corridors, organisations and sources
MAX_ROWS = 20
YEAR = NumberRange(min=1900, max=2100, message=_l("A year between 1900 and 2100."))


def _add_error(field, message) -> None:
    field.errors = [*field.errors, message]


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CorridorRow(Form):
    origin = SelectField(_l("Origin country"), validators=[Optional()])
    destination = SelectField(_l("Destination country"), validators=[Optional()])


class OrganisationRow(Form):
    existing = SelectField(_l("Organisation in the catalogue"), validators=[Optional()])
    new_name = StringField(
        _l("Or a new organisation: its name"),
        validators=[Optional(), Length(max=300)],
        filters=[one_line],
    )
    actor_type = SelectField(_l("Type of the new organisation"), validators=[Optional()])
    country = SelectField(_l("Country of the new organisation"), validators=[Optional()])
    role = SelectField(
        _l("Role"),
        default="implementer",
        choices=choices(
            [
                ("implementer", _l("implementer")),
                ("partner", _l("partner")),
                ("funder", _l("funder")),
            ]
        ),
    )


class SourceRow(Form):
    title = StringField(
        _l("Title of the source"), validators=[Optional(), Length(max=400)], filters=[one_line]
    )
    publisher = StringField(
        _l("Publisher"), validators=[Optional(), Length(max=300)], filters=[one_line]
    )
    year = IntegerField(_l("Year"), validators=[Optional(), YEAR])
    url = StringField(
        _l("Address (URL)"),
        validators=[
            Optional(),
            Length(max=1000),
            URL(require_tld=True, message=_l("An address starting with http:// or https://.")),
        ],
    )


def _title() -> StringField:
    return StringField(_l("Title"), validators=[Optional(), Length(max=300)], filters=[one_line])


def _text(label, description, max_len: int) -> TextAreaField:
    return TextAreaField(
        label, validators=[Optional(), Length(max=max_len)], description=description
    )


def _summary() -> TextAreaField:
    return _text(_l("Summary"), _l("Two or three sentences: what it does, for whom, where."), 2000)


def _body() -> TextAreaField:
    return _text(
        _l("Description"),
        _l(
            "How it works, who takes part, what it achieved and what was learnt. "
            "Markdown: **bold**, *italic*, lists, links."
        ),
        20000,
    )


def _richer() -> tuple[TextAreaField, TextAreaField, TextAreaField]:
    """Results, limits and the gender dimension, in one language."""
    return (
        _text(_l("Results"), _l("Outcomes, each number with its year and its source."), 10000),
        _text(
            _l("Limits and criticism"),
            _l("What the sources say went wrong or remains to be done."),
            10000,
        ),
        _text(
            _l("Women migrant workers"),
            _l("Women's share, and measures for women migrant workers."),
            10000,
        ),
    )


# The texts of each language, in the form's order.
TEXT_PARTS = ("title", "summary", "body", "results", "limits", "gender")

EVALUATION_TYPES = [
    ("independent-evaluation", _l("Independent evaluation")),
    ("internal-review", _l("Internal review")),
    ("systematisation", _l("Systematisation")),
    ("monitoring-data", _l("Monitoring data")),
    ("academic-study", _l("Academic or civil-society study")),
]


class PracticeForm(FlaskForm):
    lock_version = HiddenField()
    title_en, summary_en, body_en = _title(), _summary(), _body()
    results_en, limits_en, gender_en = _richer()
    title_es, summary_es, body_es = _title(), _summary(), _body()
    results_es, limits_es, gender_es = _richer()
    themes = CheckboxList(_l("Themes"))
    sectors = CheckboxList(_l("Sectors"))
    addresses_women = BooleanField(
        _l("It addresses women migrant workers: measures for them or a study of their situation")
    )
    pillars = CheckboxList(_l("Pillars of the Fair Recruitment Initiative"), coerce=int)
    corridors = FieldList(FormField(CorridorRow), min_entries=ROWS, max_entries=MAX_ROWS)
    countries = SelectMultipleField(
        _l("Countries where it is implemented"),
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )
    subdivisions = SelectMultipleField(
        _l("Provinces or states (for a provincial or state scope)"),
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )
    scope = SelectField(
        _l("Scope"),
        choices=choices(
            [
                ("corridor", _l("Migration corridor")),
                ("national", _l("National")),
                ("subnational", _l("Provincial or state")),
                ("regional", _l("Regional")),
                ("global", _l("Global")),
            ]
        ),
    )
    start_year = IntegerField(_l("First year"), validators=[Optional(), YEAR])
    end_year = IntegerField(
        _l("Last year"),
        validators=[Optional(), YEAR],
        description=_l("Leave empty while it goes on."),
    )
    implementation = SelectField(
        _l("Implementation status"),
        choices=choices(
            [
                ("ongoing", _l("Ongoing")),
                ("completed", _l("Completed")),
                ("planned", _l("Planned")),
                ("unknown", _l("Not confirmed by recent sources")),
            ]
        ),
    )
    evaluation_type = SelectField(
        _l("Evaluation or review"),
        choices=choices([("", _l("None known")), *EVALUATION_TYPES]),
        default="",
        description=_l("Only an evaluation is an evaluation: say what kind of review it was."),
    )
    evaluation_source = StringField(
        _l("The evaluation or review: who made it, and where to read it"),
        validators=[Optional(), Length(max=500)],
    )
    organisations = FieldList(FormField(OrganisationRow), min_entries=ROWS, max_entries=MAX_ROWS)
    sources = FieldList(FormField(SourceRow), min_entries=ROWS, max_entries=MAX_ROWS)
    frameworks = CheckboxList(_l("International frameworks it applies"))

    def set_choices(self, vocab: dict[str, list[tuple[str, str]]]) -> None:
        """The vocabularies, in the page's language (read by the view; no queries here)."""
        blank = [("", _l("Choose one"))]
        self.themes.choices = choices(vocab["themes"])
        self.sectors.choices = choices(vocab["sectors"])
        self.pillars.choices = choices(vocab["pillars"])
        self.frameworks.choices = choices(vocab["frameworks"])
        self.countries.choices = choices(vocab["countries"])
        self.subdivisions.choices = choices(vocab["subdivisions"])
        for row in self.corridors:
            row.origin.choices = choices(blank + vocab["countries"])
            row.destination.choices = choices(blank + vocab["countries"])
        for row in self.organisations:
            row.existing.choices = choices(blank + vocab["organisations"])
            row.actor_type.choices = choices(blank + vocab["actor_types"])
            row.country.choices = choices(blank + vocab["countries"])

    def languages_given(self) -> list[str]:
        return [
            lang for lang in LANGUAGES if any(self[f"{part}_{lang}"].data for part in TEXT_PARTS)
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        given = self.languages_given()
        if not given:
            # On the first field to fill in: the error summary links to it, and it is marked.
            _add_error(
                self.title_en, _l("Write the title and summary in English or in Spanish (or both).")
            )
            valid = False
        for lang in given:
            for part in ("title", "summary"):
                field = self[f"{part}_{lang}"]
                if not (field.data or "").strip():
                    _add_error(field, _l("Needed when this language has text."))
                    valid = False
        for field, message in (
            (self.themes, _l("Choose at least one theme.")),
            (self.pillars, _l("Choose at least one pillar.")),
        ):
            if not field.data:
                _add_error(field, message)
                valid = False
        if (
            self.start_year.data
            and self.end_year.data
            and self.end_year.data < self.start_year.data
        ):
            _add_error(self.end_year, _l("The last year comes before the first."))
            valid = False
        if self.implementation.data == "completed" and not self.end_year.data:
            _add_error(self.end_year, _l("A completed practice needs its last year."))
            valid = False
        elif self.implementation.data != "completed" and self.end_year.data:
            _add_error(self.end_year, _l("Only a completed practice has a last year."))
            valid = False
        if self.scope.data == "subnational" and not self.subdivisions.data:
            _add_error(self.subdivisions, _l("Choose the provinces or states it applies in."))
            valid = False
        if self.evaluation_type.data and not (self.evaluation_source.data or "").strip():
            _add_error(self.evaluation_source, _l("Say who made it and where to read it."))
            valid = False
        if (self.evaluation_source.data or "").strip() and not self.evaluation_type.data:
            _add_error(self.evaluation_type, _l("Say what kind of review it was."))
            valid = False
        for row in self.corridors:
            origin, destination = row.origin.data, row.destination.data
            if bool(origin) != bool(destination):
                _add_error(
                    row.destination, _l("A corridor needs both its origin and its destination.")
                )
                valid = False
            elif origin and origin == destination:
                _add_error(row.destination, _l("The destination must differ from the origin."))
                valid = False
        for row in self.organisations:
            if row.new_name.data and not row.existing.data and not row.actor_type.data:
                _add_error(row.actor_type, _l("Say what kind of organisation it is."))
                valid = False
        for row in self.sources:
            if (row.url.data or row.publisher.data or row.year.data) and not (
                row.title.data or ""
            ).strip():
                _add_error(row.title, _l("A source needs its title."))
                valid = False
        return valid

    def to_input(self) -> PracticeInput:
        texts = {
            lang: TextInput(
                title=self[f"title_{lang}"].data.strip(),
                summary=self[f"summary_{lang}"].data.strip(),
                body=(self[f"body_{lang}"].data or "").strip(),
                results=(self[f"results_{lang}"].data or "").strip(),
                limits=(self[f"limits_{lang}"].data or "").strip(),
                gender=(self[f"gender_{lang}"].data or "").strip(),
            )
            for lang in self.languages_given()
        }
        return PracticeInput(
            texts=texts,
            themes=tuple(self.themes.data),
            sectors=tuple(self.sectors.data or ()),
            addresses_women=bool(self.addresses_women.data),
            pillars=tuple(self.pillars.data),
            corridors=tuple(
                (row.origin.data, row.destination.data)
                for row in self.corridors
                if row.origin.data and row.destination.data
            ),
            countries=tuple(self.countries.data or ()),
            subdivisions=tuple(self.subdivisions.data or ()),
            scope=self.scope.data,
            start_year=self.start_year.data,
            end_year=self.end_year.data,
            implementation=self.implementation.data,
            evaluation_type=self.evaluation_type.data or "",
            evaluation_source=(self.evaluation_source.data or "").strip(),
            organisations=tuple(
                OrganisationInput(
                    key=row.existing.data or None,
                    name=(row.new_name.data or "").strip(),
                    actor_type=row.actor_type.data or None,
                    country=row.country.data or None,
                    role=row.role.data,
                )
                for row in self.organisations
                if row.existing.data or (row.new_name.data or "").strip()
            ),
            sources=tuple(
                SourceInput(
                    title=row.title.data.strip(),
                    publisher=(row.publisher.data or "").strip(),
                    year=row.year.data,
                    url=(row.url.data or "").strip(),
                )
                for row in self.sources
                if (row.title.data or "").strip()
            ),
            frameworks=tuple(self.frameworks.data),
        )
