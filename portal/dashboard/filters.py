from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEvent
from portal.audit.wording import OBJECT_TYPES, action_label


def _distinct(field):
    return AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct()


def _object_type_choices():
    choices = []
    for label in _distinct("object_type"):
        try:
            name = apps.get_model(label)._meta.verbose_name
        except (LookupError, ValueError):
            name = label
        choices.append((label, str(OBJECT_TYPES.get(label, str(name).capitalize()))))
    return choices


class AuditEventFilter(django_filters.FilterSet):
    """Filters of the audit log browser."""

    actor = django_filters.CharFilter(label=_("Actor's email"), field_name="actor_label", lookup_expr="icontains")
    organisation = django_filters.CharFilter(
        label=_("Organisation"), field_name="organisation__name", lookup_expr="icontains"
    )
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=_object_type_choices)
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=lambda: [(a, str(action_label(a))) for a in _distinct("action")]
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "organisation", "object_type", "action", "since", "until"]

    # Whole UTC days as a range of times, so the index on the time is used.
    def filter_since(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=UTC)
