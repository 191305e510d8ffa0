from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .choices import Area, CooperationLevel, OrganisationKind
from .models import Registration


class OrganisationProfileForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        label=_("Areas of interest"), choices=Area.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    cooperation_levels = forms.MultipleChoiceField(
        label=_("Cooperation levels of interest"),
        choices=CooperationLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    class Meta:
        model = Registration
        fields = [
            "name",
            "native_name",
            "kind",
            "country",
            "city",
            "website",
            "description",
            "areas",
            "cooperation_levels",
            "contact_name",
            "contact_position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        return validate_country_for_kind(cleaned, self.add_error)


def validate_country_for_kind(cleaned, add_error):
    """An international organisation has no single country; every other kind has one."""
    kind, country = cleaned.get("kind"), cleaned.get("country")
    if kind == OrganisationKind.INTERNATIONAL_ORGANISATION and country:
        add_error("country", _("An international organisation has no single country: leave this empty."))
    elif kind and kind != OrganisationKind.INTERNATIONAL_ORGANISATION and not country:
        add_error("country", _("Choose the organisation's country."))
    return cleaned


class RegistrationForm(OrganisationProfileForm):
    accept_terms = forms.BooleanField(
        label=_(
            "I confirm that I may apply on behalf of this organisation and accept the programme's terms "
            "of participation and the processing of these details."
        ),
        required=True,
        error_messages={"required": _("Please accept the terms to apply.")},
    )

    class Meta(OrganisationProfileForm.Meta):
        fields = OrganisationProfileForm.Meta.fields + ["contact_email"]


class RegistrationEditForm(OrganisationProfileForm):
    """What an applicant may change when changes are requested (the verified email stays)."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email address"))


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
