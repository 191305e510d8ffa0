"""Reasons of an assignment, in words: `{% load matching %}{{ assignment.reasons|reasons_text }}`."""

from django import template

from proposals.review.matching import reasons_text as _reasons_text

register = template.Library()


@register.filter
def reasons_text(reasons):
    return _reasons_text(reasons)
