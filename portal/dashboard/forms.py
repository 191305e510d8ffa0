from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Call, Mission, Phase

from .models import ExportJob
from .selectors import Scope


class DashboardFilterForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", _("Every phase")), *Phase.choices], required=False)
    mission = forms.ModelChoiceField(
        label=_("Mission"), queryset=Mission.objects.all(), required=False, empty_label=_("Every mission")
    )
    call = forms.ModelChoiceField(
        label=_("Call"), queryset=Call.objects.order_by("-deadline", "pk"), required=False, empty_label=_("Every call")
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Of the call's deadline for proposals and reviews; of joining for partners."),
    )

    def scope(self):
        """The filters as a Scope; a field with a wrong value is left out (and its error shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Scope(
            phase=data.get("phase") or "",
            mission=data.get("mission"),
            call=data.get("call"),
            year=data.get("year"),
        )


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Export"), choices=ExportJob.Kind.choices)
    file_format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices)
