"""The portal writes a `<select>` itself (portal/form_rendering.py): what it writes is what Django's own templates
write, option by option, in every language."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from partners.choices import country_choices
from portal.form_rendering import PortalFormRenderer


class TemplatesOnly(PortalFormRenderer):
    """The portal's renderer drawing every widget through the templates, as Django does."""

    def render(self, template_name, context, request=None):
        return DjangoTemplates.render(self, template_name, context, request)


CASES = [
    (forms.Select(choices=[("", "---------"), *country_choices()]), "country", "CN", {"id": "id_country"}),
    (
        forms.Select(choices=[("a", "A & <b>"), (1, 2), ("group <g>", [("x", "X"), ("y", "Y")])]),
        "n",
        1,
        {"id": "x", "required": True, "disabled": False, "data-x": '"quoted"'},
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), "many", ["a", "c"], {}),
    (forms.NullBooleanSelect(), "maybe", None, {}),
    (forms.Select(choices=[(None, "none"), ("", "empty")]), "e", "", {"class": "wide"}),
]


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
@pytest.mark.parametrize(("widget", "name", "value", "attrs"), CASES)
def test_a_select_is_written_as_djangos_templates_write_it(language, widget, name, value, attrs):
    with translation.override(language):
        written = widget.render(name, value, attrs, renderer=PortalFormRenderer())
        expected = widget.render(name, value, attrs, renderer=TemplatesOnly())
    assert written == expected
