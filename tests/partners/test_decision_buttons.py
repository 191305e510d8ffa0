"""The administrators' buttons on an application and an organisation follow the rule the service enforces."""

import pytest
from django.urls import reverse

from partners import services
from partners.models import Registration
from tests.factories import RegistrationFactory

from .support import page_text

S = Registration.Status
BUTTONS = ("Approve", "Request changes", "Reject")


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (S.PENDING_REVIEW, BUTTONS),
        (S.CHANGES_REQUESTED, ("Reject",)),
        (S.SUBMITTED, ()),
        (S.APPROVED, ()),
        (S.REJECTED, ()),
    ],
)
def test_an_application_offers_the_decisions_its_state_allows(client, programme_admin, status, shown):
    registration = RegistrationFactory(status=status)
    client.force_login(programme_admin)
    page = client.get(reverse("partners:registration_detail", args=[registration.pk])).content.decode()
    assert [f">{button}</button>" in page for button in BUTTONS] == [button in shown for button in BUTTONS]


def test_an_organisation_offers_suspension_while_active_and_reinstatement_while_suspended(
    client, programme_admin, organisation
):
    client.force_login(programme_admin)
    url = reverse("partners:organisation_detail", args=[organisation.pk])
    content = page_text(client.get(url))
    assert "Suspend" in content and "Reinstate" not in content
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    content = page_text(client.get(url))
    assert "Reinstate" in content and "Reason for suspension" not in content
