"""Form helpers every area's forms share: optional ids, stage and theme choices."""

from lean.models import STAGES, Theme
from lean.web import choices, name_in_language


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def stage_choices():
    from lean.labels import stage_label

    return choices((stage.value, stage_label(stage)) for stage in STAGES)


def theme_choices(themes: list[Theme]):
    return choices((theme.id, name_in_language(theme)) for theme in themes)
