"""Choice labels in the active language, read from a table made once per field and language."""

import functools

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@functools.cache
def _labels(field, language):
    # The language is part of the key: the labels are translated while it is the active one.
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


class ChoiceLabels:
    """A model mixin: `get_<field>_display()` reads a table of the field's labels made once per language.

    Django's own makes a dict of every choice on each call, and hashing the lazily translated labels translates
    each of them: a page of 25 rows showing three choices translated hundreds of labels. Fields whose choices are
    computed (a callable, countries) are left to Django."""

    def _get_FIELD_display(self, field):
        if not isinstance(field.choices, list | tuple):
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        labels = _labels(field, get_language())
        hashable = make_hashable(value)
        return labels[hashable] if hashable in labels else force_str(value, strings_only=True)
