from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
    )


class ClosureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you are leaving (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I understand that my account will be closed and cannot be reopened."))


class EndEverywhereForm(forms.Form):
    include_current = forms.BooleanField(label=_("Sign out of this browser too"), required=False)
