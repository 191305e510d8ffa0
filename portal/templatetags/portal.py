"""The portal's template filters: `{% load portal %}`, then `{{ moment|when }}`, `{{ count|number }}` and
`{{ proposal.title|beside:proposal.title_native }}`. Plain text comes out, escaped like any other variable."""

from django import template

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
