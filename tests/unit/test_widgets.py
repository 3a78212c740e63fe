"""Field attributes are written as WTForms writes them (lean/core/widgets.py)."""

import pytest
from markupsafe import Markup
from wtforms import Form, SelectField, StringField, widgets
from wtforms.widgets import core

from lean.core.widgets import WTFORMS_HTML_PARAMS, html_params
from lean.shared.web import choices

CASES = [
    {},
    {"name": "title", "id": "title", "type": "text", "value": ""},
    {"value": 'Sanoi "hei" & <lähti>', "class_": "wide", "for_": "x"},
    {"checked": True, "readonly": False, "required": True, "disabled": False},
    {"data_freshness_url": "/teams/1/board?", "aria_describedby": "a-hint a-error-1"},
    {"value": Markup('<b class="x">valmis</b>'), "title": Markup("&amp; jo")},
    {"maxlength": 200, "min": 0, "step": 0.5, "value": None},
    {"ääkkönen": "å", "data_x_y": "1", "_": "underscore"},
]


@pytest.mark.parametrize("attributes", CASES)
def test_the_same_text_as_wtforms_own(attributes):
    ours, theirs = html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_the_app_writes_fields_with_it(app):
    assert core.html_params is widgets.html_params is html_params
    assert core.Input.html_params is html_params and core.Button.html_params is html_params

    class Sample(Form):
        title = StringField()
        language = SelectField(choices=choices([("fi", "suomi"), ("sv", 'sv"enska')]))

    form = Sample(data={"title": 'A "quoted" <title>', "language": "sv"})
    assert form.title(maxlength=200) == Markup(
        '<input id="title" maxlength="200" name="title" type="text" '
        'value="A &#34;quoted&#34; &lt;title&gt;">'
    )
    assert '<option selected value="sv">sv&#34;enska</option>' in form.language()
