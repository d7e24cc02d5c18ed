"""The event form: when, how, who organises, and the agenda (rows added without JavaScript)."""

from __future__ import annotations

import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from kb.forms import choices, one_line
from kb.services.events import AgendaInput, EventInput

ROWS = 3


def _zone(_form, field) -> None:
    if field.data not in zoneinfo.available_timezones() or "/" not in (field.data or ""):
        raise ValidationError(_l("Use a time zone name such as America/Lima or Europe/Madrid."))


def _numbers(text: str | None) -> list[str]:
    return [p.strip().lstrip("#") for p in (text or "").replace(";", ",").split(",") if p.strip()]


def _practice_numbers(_form, field) -> None:
    if any(not (p.isascii() and p.isdigit() and len(p) <= 9) for p in _numbers(field.data)):
        raise ValidationError(_l("Practice numbers, separated by commas (12, 27)."))


class AgendaRow(Form):
    title_en = StringField(
        _l("Item in English"), validators=[Optional(), Length(max=300)], filters=[one_line]
    )
    title_es = StringField(
        _l("Item in Spanish"), validators=[Optional(), Length(max=300)], filters=[one_line]
    )
    starts_at = TimeField(_l("Time"), validators=[Optional()])
    speakers = TextAreaField(
        _l("Speakers"),
        validators=[Optional(), Length(max=3000)],
        description=_l("One per line: name, then a comma and the organisation."),
    )
    practices = StringField(
        _l("Practices presented"),
        validators=[Optional(), _practice_numbers],
        description=_l("Their numbers, separated by commas."),
    )


class EventForm(FlaskForm):
    title_en = StringField(
        _l("Title in English"), validators=[InputRequired(), Length(max=300)], filters=[one_line]
    )
    title_es = StringField(
        _l("Title in Spanish"), validators=[InputRequired(), Length(max=300)], filters=[one_line]
    )
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=4000)])
    description_es = TextAreaField(_l("Description in Spanish"), validators=[Length(max=4000)])
    starts_on = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Starts at"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), validators=[Optional()])
    time_zone = StringField(
        _l("Time zone"),
        default="UTC",
        validators=[InputRequired(), _zone],
        description=_l("The zone of the times given, e.g. America/Lima."),
    )
    format = SelectField(
        _l("Format"),
        choices=choices(
            [("online", _l("Online")), ("in_person", _l("In person")), ("hybrid", _l("Hybrid"))]
        ),
    )
    venue_en = StringField(
        _l("Place in English"), validators=[InputRequired(), Length(max=200)], filters=[one_line]
    )
    venue_es = StringField(
        _l("Place in Spanish"), validators=[InputRequired(), Length(max=200)], filters=[one_line]
    )
    languages = SelectMultipleField(
        _l("Languages"), choices=choices([("en", _l("English")), ("es", _l("Spanish"))])
    )
    organisers = SelectMultipleField(
        _l("Organised by"), description=_l("Hold Ctrl (or Cmd) to choose several.")
    )
    collection = SelectField(_l("Collection of practices for it"), validators=[Optional()])
    agenda = FieldList(FormField(AgendaRow), min_entries=ROWS, max_entries=30)

    def set_choices(self, vocab: dict) -> None:
        self.organisers.choices = choices(vocab["organisations"])
        self.collection.choices = choices([("", _l("None")), *vocab["collections"]])

    def to_input(self) -> EventInput:
        agenda = []
        for row in self.agenda:
            if not (row.title_en.data or row.title_es.data):
                continue
            speakers = []
            for line in (row.speakers.data or "").splitlines():
                name, _, organisation = line.partition(",")
                if name.strip():
                    speakers.append(
                        {"name": one_line(name), "organisation": one_line(organisation)}
                    )
            numbers = _numbers(row.practices.data)
            agenda.append(
                AgendaInput(
                    title_en=row.title_en.data or row.title_es.data,
                    title_es=row.title_es.data or row.title_en.data,
                    starts_at=row.starts_at.data,
                    speakers=tuple(speakers),
                    practice_ids=tuple(int(p) for p in numbers),
                )
            )
        return EventInput(
            title_en=self.title_en.data,
            title_es=self.title_es.data,
            description_en=(self.description_en.data or "").strip(),
            description_es=(self.description_es.data or "").strip(),
            starts_on=self.starts_on.data,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            time_zone=self.time_zone.data,
            format=self.format.data,
            venue_en=self.venue_en.data,
            venue_es=self.venue_es.data,
            languages=tuple(self.languages.data or ()),
            organisers=tuple(self.organisers.data or ()),
            collection=self.collection.data or None,
            agenda=tuple(agenda),
        )
