"""The collection form (title and description in both languages, visibility)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from kb.forms import choices, one_line
from kb.services.curation import CollectionInput


def _title(label):
    return StringField(
        label,
        validators=[InputRequired(message=_l("Give the collection a title.")), Length(max=300)],
        filters=[one_line],
    )


class CollectionForm(FlaskForm):
    title_en = _title(_l("Title in English"))
    title_es = _title(_l("Title in Spanish"))
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=2000)])
    description_es = TextAreaField(_l("Description in Spanish"), validators=[Length(max=2000)])
    visibility = SelectField(
        _l("Who can see it"),
        choices=choices(
            [
                ("public", _l("Everyone: listed on the collections page")),
                ("unlisted", _l("Anyone with the link: not listed")),
                ("draft", _l("Editors only (draft)")),
            ]
        ),
    )
    is_featured = BooleanField(_l("Feature it on the home page"))

    def to_input(self) -> CollectionInput:
        return CollectionInput(
            title_en=self.title_en.data,
            title_es=self.title_es.data,
            description_en=(self.description_en.data or "").strip(),
            description_es=(self.description_es.data or "").strip(),
            visibility=self.visibility.data,
            is_featured=bool(self.is_featured.data),
        )
