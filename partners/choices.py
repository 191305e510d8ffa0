"""The programme's vocabularies, shared by partners, proposals and the dashboard."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class OrganisationKind(models.TextChoices):
    SPACE_AGENCY = "space_agency", _("Space agency")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Company")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    OTHER = "other", _("Other")


class Area(models.TextChoices):
    SCIENTIFIC_OBJECTIVES = "scientific_objectives", _("Scientific objectives")
    ENGINEERING = "engineering", _("Engineering (spacecraft and systems)")
    PAYLOADS = "payloads", _("Payloads")
    GROUND_STATIONS = "ground_stations", _("Ground stations and operations")
    DATA_SHARING = "data_sharing", _("Data sharing and science")
    TALENT_TRAINING = "talent_training", _("Talent training")
    EDUCATION_OUTREACH = "education_outreach", _("Education and outreach")
    OTHER = "other", _("Other")


class CooperationLevel(models.TextChoices):
    MISSION = "mission", _("Mission")
    SYSTEM = "system", _("System")
    SUBSYSTEM = "subsystem", _("Subsystem")
    EQUIPMENT = "equipment", _("Equipment (single instrument or payload)")


def labels(choices, values):
    """Human labels for a list of stored choice values, in the choices' order."""
    chosen = set(values or [])
    return [label for value, label in choices.choices if value in chosen]


def country_choices():
    """Every country as (code, name) in the active language; a callable, so that a form made at import time
    still names the countries in each reader's language."""
    return list(countries)
