import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.choices import Area, OrganisationKind
from partners.models import Organisation
from portal.i18n import in_reader_language

from .calls import PLATFORM_FIELDS
from .models import NOTE_LIMIT, SECTION_LIMIT, Attachment, Call, Platform, Proposal, Review, ReviewerProfile
from .services import PROPOSAL_FIELDS, REQUIRED_FOR_FULL, REQUIRED_FOR_LETTER

User = get_user_model()

TIME_ZONES = sorted(zoneinfo.available_timezones())


class ProposalForm(forms.ModelForm):
    """The multi-section proposal editor. Saving a draft accepts gaps; submission checks completeness."""

    areas = forms.MultipleChoiceField(
        label=_("Areas"), choices=Area.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Proposal
        fields = ["principal_investigator", *PROPOSAL_FIELDS]
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 6}),
            "science_objectives": forms.Textarea(attrs={"rows": 6}),
            "heritage": forms.Textarea(attrs={"rows": 4}),
            "schedule": forms.Textarea(attrs={"rows": 4}),
        }

    SECTIONS = [
        ("general", _("General"), ["title", "title_native", "abstract", "principal_investigator"]),
        ("cooperation", _("Cooperation"), ["cooperation_level", "cooperation_mode", "areas"]),
        (
            "resources",
            _("Platform and resources"),
            [
                "platform",
                "mass_kg",
                "average_power_w",
                "peak_power_w",
                "length_mm",
                "width_mm",
                "height_mm",
                "data_mb_per_day",
                "min_operating_temp_c",
                "max_operating_temp_c",
            ],
        ),
        ("readiness", _("Readiness"), ["trl_now", "trl_delivery"]),
        ("narrative", _("Science and plan"), ["science_objectives", "heritage", "schedule"]),
    ]

    def __init__(self, *args, call, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(call=call)
        self.fields["principal_investigator"].queryset = User.objects.filter(
            membership__organisation=organisation, is_active=True
        ).order_by("full_name")
        self.fields["principal_investigator"].required = False
        for field in ("trl_now", "trl_delivery"):
            self.fields[field].widget.attrs.update(min=1, max=9)
        # A draft may leave these empty; the editor marks them as needed to submit.
        letter = self.instance.stage == Proposal.Stage.LETTER
        self.needed_to_submit = set(REQUIRED_FOR_LETTER if letter else REQUIRED_FOR_FULL)

    def sections(self):
        return [(key, title, [self[name] for name in names]) for key, title, names in self.SECTIONS]


class TeamMemberForm(forms.Form):
    """A co-investigator: an email to invite them (colleagues of the lead organisation are added at once), or a name
    with organisation and country for someone outside the portal."""

    email = forms.EmailField(label=_("Email"), required=False)
    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    country = CountryField(blank=True).formfield(label=_("Country"), required=False)
    role = forms.CharField(label=_("Role"), max_length=100, required=False, initial="Co-investigator")

    def clean(self):
        data = super().clean()
        data["email"] = (data.get("email") or "").strip()
        if not data["email"] and any(data.get(field) for field in ("full_name", "organisation_name")):
            for field in ("full_name", "organisation_name"):
                if not data.get(field):
                    self.add_error(field, _("Give the person's email to invite them, or their name and organisation."))
        return data

    def entry(self):
        data = self.cleaned_data
        if not data or not (data.get("email") or data.get("full_name")):
            return None
        return {key: value for key, value in data.items() if key != "DELETE"}


TeamFormSet = forms.formset_factory(TeamMemberForm, extra=2, can_delete=True, max_num=30)


def team_initial(proposal):
    return [
        {
            "email": member.email,
            "full_name": member.full_name,
            "organisation_name": member.organisation_name,
            "country": member.country.code,
            "role": member.role,
            "status": member.get_status_display() if member.is_invited else "",
        }
        for member in proposal.team.all()
    ]


def team_entries(formset):
    entries = []
    for form in formset.forms:
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        entry = form.entry()
        if entry:
            entries.append(entry)
    return entries


class StartProposalForm(forms.Form):
    title = forms.CharField(label=_("Working title"), max_length=200)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=NOTE_LIMIT
    )


class ComplianceForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Eligible")), ("0", _("Not eligible"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=NOTE_LIMIT
    )


class CallForm(forms.ModelForm):
    """The call editor; deadlines are typed in the call's own time zone."""

    eligible_kinds = forms.MultipleChoiceField(
        label=_("Eligible kinds of organisation"),
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked means every kind."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone of the deadlines"), choices=[(tz, tz) for tz in TIME_ZONES])

    DEADLINES = ("letter_deadline", "deadline", "review_deadline")

    class Meta:
        model = Call
        fields = [
            "mission",
            "title",
            "title_zh_hans",
            "title_ru",
            "reference",
            "summary",
            "summary_zh_hans",
            "summary_ru",
            "description",
            "description_zh_hans",
            "description_ru",
            "eligible_kinds",
            "has_letter_stage",
            "letter_deadline",
            "deadline",
            "time_zone",
            "reviewers_per_proposal",
            "conflict_policy",
            "anonymity",
            "review_deadline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "description_zh_hans": forms.Textarea(attrs={"rows": 6, "lang": "zh-Hans"}),
            "description_ru": forms.Textarea(attrs={"rows": 6, "lang": "ru"}),
            "title_zh_hans": forms.TextInput(attrs={"lang": "zh-Hans"}),
            "title_ru": forms.TextInput(attrs={"lang": "ru"}),
            "summary_zh_hans": forms.TextInput(attrs={"lang": "zh-Hans"}),
            "summary_ru": forms.TextInput(attrs={"lang": "ru"}),
        }
        help_texts = {
            "title_zh_hans": _("Leave empty to show the English title to readers of Chinese."),
            "title_ru": _("Leave empty to show the English title to readers of Russian."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zoneinfo.ZoneInfo(self.instance.time_zone or "Asia/Shanghai")
        for name in self.DEADLINES:
            self.fields[name] = forms.DateTimeField(
                label=self.fields[name].label,
                required=self.fields[name].required,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
            )
            value = getattr(self.instance, name, None)
            if value and not self.is_bound:
                self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None)

    def clean(self):
        data = super().clean()
        zone = zoneinfo.ZoneInfo(data.get("time_zone") or "Asia/Shanghai")
        current = timezone.get_current_timezone()
        for name in self.DEADLINES:
            value = data.get(name)
            if value:
                naive = timezone.localtime(value, current).replace(tzinfo=None)
                data[name] = timezone.make_aware(naive, zone)
        if data.get("has_letter_stage") and not data.get("letter_deadline"):
            self.add_error("letter_deadline", _("A call with a letter-of-intent stage needs a letter deadline."))
        letter, final = data.get("letter_deadline"), data.get("deadline")
        if data.get("has_letter_stage") and letter and final and letter >= final:
            self.add_error(
                "letter_deadline", _("The letter-of-intent deadline must come before the proposal deadline.")
            )
        return data


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=100)
    name_zh_hans = forms.CharField(
        label=_("Criterion in Chinese"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hans"}),
    )
    name_ru = forms.CharField(
        label=_("Criterion in Russian"), max_length=100, required=False, widget=forms.TextInput(attrs={"lang": "ru"})
    )
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=0, max_value=100)


class BaseCriteriaFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        total = sum(
            form.cleaned_data["weight"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if total != 100:
            raise forms.ValidationError(
                _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
            )

    def criteria(self):
        from django.utils.text import slugify

        return [
            {
                "key": slugify(form.cleaned_data["name"]).replace("-", "_"),
                "name": form.cleaned_data["name"],
                **{
                    name: form.cleaned_data[name]
                    for name in ("name_zh_hans", "name_ru")
                    if form.cleaned_data.get(name, "").strip()
                },
                "weight": form.cleaned_data["weight"],
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


CriteriaFormSet = forms.formset_factory(CriterionForm, formset=BaseCriteriaFormSet, extra=1, can_delete=True)


class PlatformForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = PLATFORM_FIELDS


PlatformFormSet = forms.inlineformset_factory(Call, Platform, form=PlatformForm, extra=1, can_delete=True)


class ReviewForm(forms.Form):
    strengths = forms.CharField(
        label=_("Strengths"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=SECTION_LIMIT
    )
    weaknesses = forms.CharField(
        label=_("Weaknesses"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=SECTION_LIMIT
    )
    confidential_comment = forms.CharField(
        label=_("Confidential comment for the panel"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=NOTE_LIMIT,
    )

    def __init__(self, *args, call, technical, **kwargs):
        super().__init__(*args, **kwargs)
        grades = [("", "—")] + [(value, f"{value} — {label}") for value, label in Review.GRADES.items()]
        for criterion in call.criteria:
            self.fields[f"score_{criterion['key']}"] = forms.TypedChoiceField(
                label=f"{in_reader_language(criterion, 'name')} ({criterion['weight']}%)",
                choices=grades,
                coerce=int,
                empty_value=None,
                required=False,
            )
        if technical:
            self.fields["technical_assessment"] = forms.ChoiceField(
                label=_("Technical accommodation"), choices=[("", "—"), *Review.Technical.choices], required=False
            )
            self.fields["technical_notes"] = forms.CharField(
                label=_("Technical notes"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=NOTE_LIMIT,
            )
        self.call = call

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("score_")}
        data["scores"] = {
            c["key"]: self.cleaned_data[f"score_{c['key']}"]
            for c in self.call.criteria
            if self.cleaned_data.get(f"score_{c['key']}")
        }
        return data


class ReviewerInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Name"), max_length=200)
    expertise_areas = forms.MultipleChoiceField(
        label=_("Areas of expertise"), choices=Area.choices, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(label=_("Keywords"), max_length=500, required=False)
    affiliation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    external_affiliation = forms.CharField(label=_("Other affiliation"), max_length=200, required=False)
    country = ReviewerProfile._meta.get_field("country").formfield(required=False)
    max_load_per_call = forms.IntegerField(label=_("Most proposals per call"), min_value=1, max_value=50, initial=6)
    is_technical = forms.BooleanField(label=_("Technical reviewer"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=get_language,
        required=False,
        help_text=_("A new account's language, for the portal and its emails, this invitation first."),
    )


class ReviewerProfileForm(forms.ModelForm):
    """What reviewers keep up to date themselves: their expertise and how much they take on per call."""

    expertise_areas = forms.MultipleChoiceField(
        label=_("Areas of expertise"), choices=Area.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReviewerProfile
        fields = ["expertise_areas", "keywords", "max_load_per_call"]


class BiddingDeadlineForm(forms.Form):
    """When reviewers' bids on a call close (empty: open until the assignment), in the call's time zone."""

    bidding_deadline = forms.DateTimeField(
        label=_("Bidding deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(call.time_zone or "Asia/Shanghai")
        self.fields["bidding_deadline"].help_text = _("In the call's time zone, %(zone)s.") % {"zone": call.time_zone}
        if call.bidding_deadline and not self.is_bound:
            self.initial["bidding_deadline"] = timezone.localtime(call.bidding_deadline, self.zone).replace(tzinfo=None)

    def clean_bidding_deadline(self):
        value = self.cleaned_data["bidding_deadline"]
        if value is None:
            return None
        naive = timezone.localtime(value, timezone.get_current_timezone()).replace(tzinfo=None)
        return timezone.make_aware(naive, self.zone)


class ReleaseForm(forms.Form):
    """The reason recorded when decisions are released before every proposal has the reviews the call requires."""

    override_reason = forms.CharField(required=False, max_length=2000, strip=True)
