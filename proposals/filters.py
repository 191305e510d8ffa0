import django_filters
from django.utils.translation import gettext_lazy as _

from partners.choices import OrganisationKind, country_choices

from .models import Call, Proposal


class SubmissionFilter(django_filters.FilterSet):
    """Filters on a call's submissions list (pages and API)."""

    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Proposal.Stage.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Proposal.Status.choices)
    country = django_filters.ChoiceFilter(
        label=_("Country"), field_name="organisation__country", choices=country_choices
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"), field_name="organisation__kind", choices=OrganisationKind.choices
    )
    compliance = django_filters.ChoiceFilter(label=_("Compliance"), choices=Proposal.Compliance.choices[1:])

    class Meta:
        model = Proposal
        fields = ["stage", "status", "country", "kind", "compliance"]


class ProposalFilter(SubmissionFilter):
    call = django_filters.ModelChoiceFilter(label=_("Call"), queryset=Call.objects.all(), empty_label=_("All"))

    class Meta(SubmissionFilter.Meta):
        fields = ["call", *SubmissionFilter.Meta.fields]


class CallFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Call.Status.choices)

    class Meta:
        model = Call
        fields = ["status", "mission"]
