"""Serializers that write rows read as plain values, without DRF's work for every field of every row.

DRF writes a field of a row by walking the field's `source` on a model instance (checking each step for a
callable, a missing attribute, a related row), then calling the field's `to_representation`; for a page of 50
rows of 40 fields that generic work, and the model instances behind it, cost more than the page's queries. A
serializer with `RowsMixin` first writes plain rows instead: dicts whose keys are its fields' names, read with
`values()` by the selector of the endpoint, with a nested field's value as a dict (or a list of them). Each field is
then written by the step it needs, decided once per serializer:

- a text, a number, a choice, a flag, a related row's id or a JSON document read from the database goes out as it
  is, which is what DRF's field writes for such a value;
- a decimal, a moment, a country and any other field go through the field's own `to_representation`, so they come
  out exactly as DRF writes them;
- a nested serializer with the mixin writes its rows the same way; a method field is called with the row.

The declared fields stay the one description of the answer: the OpenAPI schema and every input are read from
them as before. Given a model instance instead (the browsable API's forms do that), a serializer reads its row
with `row_of(instance)`.
"""

import functools
from collections.abc import Mapping

from django_countries.serializer_fields import CountryField
from rest_framework import relations, serializers

# Fields whose `to_representation` gives back a value read from the database unchanged: str() of a text, int() of
# an integer, a bool, a choice's own value, a JSON document, and a related row's id (read as the id already).
_AS_READ = (serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.JSONField)


def _writer(field):
    """How `field` writes a value of a row: None when as read, else a function of the value."""
    if isinstance(field, RowsMixin):
        return field.write_row
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, RowsMixin):
        write = field.child.write_row
        return lambda rows: [write(row) for row in rows]
    if isinstance(field, serializers.JSONField) and field.binary:
        return field.to_representation
    if isinstance(field, _AS_READ):
        return None
    if type(field) is serializers.ChoiceField:
        # Its value when it is one of the choices, and the value itself when not: as read either way.
        return None
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None:
        return None
    if isinstance(field, serializers.ListField) and _writer(field.child) is None:
        return list
    if isinstance(field, CountryField) and not (field.country_dict or field.name_only):
        # A code, the same in every language; the same few codes on every page: each is looked up once.
        return functools.cache(field.to_representation)
    return field.to_representation


# Each serializer class's plan, made from its fields the first time it writes a row: DRF builds a serializer's
# fields anew for every instance (for a model serializer, by inspecting the model), which costs more than the rows.
_plans = {}


# No docstring: drf-spectacular would give it to every serializer without one of its own, as the schema's text.
# The plan is made once per class, so a method field reads the serializer it is called on, while a nested
# serializer's own methods must not read its context.
class RowsMixin:
    def to_representation(self, instance):
        return self.write_row(instance if isinstance(instance, Mapping) else self.row_of(instance))

    def row_of(self, instance):
        """The row of a model instance; a serializer that may be given one says how to read it."""
        raise TypeError(f"{type(self).__name__} writes rows (dicts), not {type(instance).__name__} instances.")

    def write_row(self, row):
        plan = _plans.get(type(self))
        if plan is None:
            plan = _plans[type(self)] = self._plan()
        written = {}
        for name, method, write in plan:
            if method is not None:
                written[name] = getattr(self, method)(row)
                continue
            value = row[name]
            written[name] = value if value is None or write is None else write(value)
        return written

    def _plan(self):
        """(name, method name or None, writer) for each field the answer has."""
        return [
            (name, field.method_name, None)
            if isinstance(field, serializers.SerializerMethodField)
            else (name, None, _writer(field))
            for name, field in self.fields.items()
            if not field.write_only
        ]


class PagedRows:
    """The rows of a `values()` queryset as a paginator reads them: `count()` counts them all; a slice reads that
    page and hands it to `complete` (which adds nested rows and computed values, a query or two for the page)."""

    def __init__(self, queryset, complete):
        self.queryset, self.complete = queryset, complete

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.complete(list(self.queryset[index]))
