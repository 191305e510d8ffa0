"""How every form field of the portal is drawn: Django's own field layout, with a label that marks what must be
filled in (see `marked_label` in portal/templatetags/portal.py). A `<select>` is written here, in the markup of
Django's own templates: through them, each option costs a template of its own, and a list of countries takes longer
than the rest of its page."""

from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import stringformat
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class PortalFormRenderer(DjangoTemplates):
    field_template_name = "includes/form_field.html"

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "portalforms",
                "OPTIONS": {"libraries": {"portal": "portal.templatetags.portal"}},
            }
        )

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(
            option["template_name"] == OPTION for _name, options, _index in widget["optgroups"] for option in options
        ):
            return _select(widget)
        return super().render(template_name, context, request)


def _select(widget):
    """What Django's select.html and select_option.html write for `widget` (their context), variable by variable
    as a template writes it (escaped, localised)."""
    context = Context(autoescape=True)

    def shown(value):
        # A plain text is only escaped; anything else goes the whole way (a number is localised, a safe text kept).
        return escape(value) if type(value) is str else render_value_in_context(value, context)

    def attrs(found):
        return "".join(
            f" {shown(name)}" + ("" if value is True else f'="{shown(stringformat(value, "s"))}"')
            for name, value in found.items()
            if value is not False
        )

    parts = [f'<select name="{shown(widget["name"])}"{attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        parts.extend(
            f'\n  <option value="{shown(stringformat(option["value"], "s"))}"{attrs(option["attrs"])}>'
            f"{shown(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped as a template escapes it
