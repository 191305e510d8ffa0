"""The portal's template filters: `{% load portal %}`, then `{{ moment|when }}`, `{{ count|number }}` and
`{{ proposal.title|beside:proposal.title_native }}`, and `{{ call.local_title|lang_attr }}` inside a tag.
Plain text comes out, escaped like any other variable."""

from django import template
from django.utils.html import format_html

from portal import formatting

register = template.Library()


@register.filter
def when(moment, zone=None):
    """`{{ moment|when }}` in the reader's zone, `{{ moment|when:call.time_zone }}` in another; the zone named."""
    return formatting.when(moment, zone)


@register.filter
def number(value, decimal_places=None):
    """`{{ total|number }}`, or `{{ score|number:2 }}` with that many decimal places."""
    return formatting.number(value, decimal_places)


@register.filter
def beside(name, native):
    return formatting.beside(name, native)


@register.filter
def lang_attr(text):
    """` lang="en"` for text shown in English because the reader's language has none (portal.i18n.InLanguage)."""
    lang = getattr(text, "lang", "")
    return format_html(' lang="{}"', lang) if lang else ""
