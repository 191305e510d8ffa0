"""How every form field of the portal is drawn: Django's own field layout, with a label that marks what must be
filled in (see `marked_label` in portal/templatetags/portal.py)."""

from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property


class PortalFormRenderer(DjangoTemplates):
    field_template_name = "includes/form_field.html"

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "portalforms",
                "OPTIONS": {"libraries": {"portal": "portal.templatetags.portal"}},
            }
        )
