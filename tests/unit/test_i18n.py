"""Translations looked up once per request still follow a language switched within it."""

from flask_babel import force_locale
from flask_babel import gettext as _

from lean.models import Stage
from lean.shared.labels import stage_label


def test_translations_follow_the_request_language_and_force_locale(app):
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert _("Done") == "Valmis"
        rendered = app.jinja_env.from_string('{{ _("Done") }}').render()
        assert rendered == "Valmis"
        with force_locale("sv"):  # a mail to a Swedish-speaking user, sent during the request
            assert _("Done") == "Klar"
            assert app.jinja_env.from_string('{{ _("Done") }}').render() == "Klar"
        assert _("Done") == "Valmis"
        assert stage_label(Stage.DONE) == "Valmis"


def test_template_translations_escape_their_variables_but_not_themselves(app):
    template = app.jinja_env.from_string(
        '{{ _("Done") }}|{{ _("%(name)s", name=title) }}|'
        '{{ ngettext("%(num)d day", "%(num)d days", 3) }}'
    )
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        rendered = template.render(title="<b>Kortti</b>")
    assert rendered == "Valmis|&lt;b&gt;Kortti&lt;/b&gt;|3 päivää"
