"""Forms of the peer network."""

from typing import Any, cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lean.models import PracticeKind, Theme
from lean.network.snapshot import Shares
from lean.shared.fields import optional_int, theme_choices
from lean.shared.web import choices, name_in_language


def kind_label(kind: str) -> str:
    labels: dict[str, Any] = {
        PracticeKind.IMPROVEMENT: _l("Improvement"),
        PracticeKind.A3: _l("A3 sheet"),
        PracticeKind.KAIZEN: _l("Kaizen"),
    }
    return str(labels.get(kind, kind))


def focus_area_choices(themes: list[Theme], empty_label):
    return choices(
        [("", empty_label)]
        + [
            (area.id, f"{name_in_language(theme)}: {name_in_language(area)}")
            for theme in themes
            for area in theme.focus_areas
        ]
    )


class PublishForm(FlaskForm):
    """What the publisher writes for other organizations, and which parts they share."""

    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary for other organizations"), validators=[DataRequired(), Length(max=5000)]
    )
    learnings = TextAreaField(
        _l("What was learned (also from what did not work)"),
        validators=[Optional(), Length(max=5000)],
    )
    theme_id = SelectField(_l("Theme"), coerce=optional_int, validators=[InputRequired()])
    focus_area_id = SelectField(_l("Focus area"), coerce=optional_int, validators=[Optional()])
    share_approach = BooleanField(_l("Share the problem and the approach"), default=True)
    share_result = BooleanField(_l("Share the measured result"), default=True)
    share_impact = BooleanField(_l("Share the impact figures"), default=True)
    share_a3 = BooleanField(_l("Share the A3 sheet"), default=False)

    def __init__(self, themes: list[Theme], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = theme_choices(themes)
        self.focus_area_id.choices = focus_area_choices(themes, _l("No focus area"))
        self.focus_areas_of_theme = {t.id: {a.id for a in t.focus_areas} for t in themes}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        focus = self.focus_area_id.data
        if focus and focus not in self.focus_areas_of_theme.get(self.theme_id.data, ()):
            cast(list, self.focus_area_id.errors).append(
                _l("Choose a focus area of the chosen theme.")
            )
            valid = False
        return valid

    def shares(self, a3_available: bool) -> Shares:
        return Shares(
            approach=bool(self.share_approach.data),
            result=bool(self.share_result.data),
            impact=bool(self.share_impact.data),
            a3=a3_available and bool(self.share_a3.data),
        )


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment or question"), validators=[DataRequired(), Length(max=5000)])
    similar_practice_id = SelectField(
        _l("We tried something similar"), coerce=optional_int, validators=[Optional()]
    )
    answer_to = HiddenField()

    def __init__(self, own_practices: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar_practice_id.choices = choices([("", _l("No, just a comment")), *own_practices])


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])
    answer_to = HiddenField(validators=[DataRequired()])


class AdoptForm(FlaskForm):
    team_id = SelectField(
        _l("Adopt into the team"), coerce=optional_int, validators=[InputRequired()]
    )

    def __init__(self, teams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_id.choices = choices((team.id, team.name) for team in teams)


class LibraryFilterForm(FlaskForm):
    """The library's filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    theme = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    focus_area = SelectField(_l("Focus area"), coerce=optional_int, validators=[Optional()])
    organization = SelectField(_l("Organization"), coerce=optional_int, validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    order = SelectField(_l("Order"), validators=[Optional()])

    def __init__(self, themes, organizations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices([("", _l("All themes"))]) + theme_choices(themes)
        self.focus_area.choices = focus_area_choices(themes, _l("All focus areas"))
        self.organization.choices = choices(
            [("", _l("All organizations"))] + [(o.id, o.name) for o in organizations]
        )
        self.kind.choices = choices(
            [("", _l("All kinds"))] + [(kind.value, kind_label(kind)) for kind in PracticeKind]
        )
        self.order.choices = choices(
            [
                ("newest", _l("Newest")),
                ("adopted", _l("Most adopted")),
                ("discussed", _l("Most discussed")),
            ]
        )


class NetworkSettingsForm(FlaskForm):
    supervisors_may_publish = BooleanField(
        _l("Supervisors may publish their teams' work to the network")
    )


class NameSharingForm(FlaskForm):
    show_name_to_network = BooleanField(_l("Show my name to other organizations"))
