"""Fixtures for the partners tests: emails delivered on commit, a movable clock, another partner's secrets."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from partners import services
from tests.factories import InvitationFactory, MembershipFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed, so the emails it queued reach mail.outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def clock(monkeypatch):
    """Move the portal's time forward: `timezone.now()` and the timestamps that signed links are checked against."""
    shift = {"by": timedelta(0)}
    real_now = timezone.now

    class _ShiftedTime:
        @staticmethod
        def time():
            return time.time() + shift["by"].total_seconds()

    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift["by"])
    monkeypatch.setattr(signing, "time", _ShiftedTime)

    def advance(**delta):
        shift["by"] += timedelta(**delta)

    return advance


@pytest.fixture
def secrets_of_another_organisation(other_organisation, other_partner_admin, programme_admin):
    """Everything private about another partner, so a test can show that none of it leaks."""
    other_organisation.description = "Confidential roadmap of Far Side"
    other_organisation.email_domain = "farside-private.example.org"
    other_organisation.save()
    MembershipFactory(organisation=other_organisation, user__email="hidden.person@farside.example.org")
    InvitationFactory(
        organisation=other_organisation, email="hidden.invitee@farside.example.org", invited_by=other_partner_admin
    )
    services.suspend_organisation(organisation=other_organisation, by=programme_admin, reason="Hidden reason 42")
    services.reinstate_organisation(organisation=other_organisation, by=programme_admin, reason="Hidden settlement")
    return [
        "Confidential roadmap of Far Side",
        "farside-private.example.org",
        other_partner_admin.email,
        "hidden.person@farside.example.org",
        "hidden.invitee@farside.example.org",
        "Hidden reason 42",
        "Hidden settlement",
    ]
