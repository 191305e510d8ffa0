import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import OrganisationKind, country_choices
from .models import Organisation, Registration


class _ProfileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    country = django_filters.ChoiceFilter(label=_("Country"), choices=country_choices)

    search_fields = ()

    def filter_search(self, queryset, name, value):
        from django.db.models import Q

        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


class RegistrationFilter(_ProfileFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices)
    search_fields = ("name", "native_name", "contact_name", "contact_email", "city")

    class Meta:
        model = Registration
        fields = ["status", "kind", "country", "q"]


class OrganisationFilter(_ProfileFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Organisation.Status.choices)
    search_fields = ("name", "native_name", "city", "email_domain")

    class Meta:
        model = Organisation
        fields = ["status", "kind", "country", "q"]


class DirectoryFilter(_ProfileFilter):
    search_fields = ("name", "native_name", "city")

    class Meta:
        model = Organisation
        fields = ["kind", "country", "q"]
