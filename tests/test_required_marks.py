"""Required fields are marked: "*" (said once per form what it means) with the `required` attribute where the
server refuses the form without them; proposal fields a draft may leave empty say "needed to submit" instead."""

import re

import pytest
from django.urls import reverse

from tests.factories import CallFactory, MembershipFactory, OrganisationFactory, ProposalFactory

pytestmark = pytest.mark.django_db

LEGEND = "Fields marked * are required."


def label_of(page, field_id):
    return re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S).group(1)


def control_of(page, field_id):
    return re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', page).group(0)


def test_the_join_form_marks_what_it_requires_and_says_so_once(client):
    page = client.get(reverse("partners:join")).content.decode()
    assert page.count(LEGEND) == 1
    assert 'class="required"' in label_of(page, "id_name") and "required" in control_of(page, "id_name")
    assert 'class="required"' in label_of(page, "id_contact_email")
    # Optional fields carry neither the mark nor the attribute.
    assert 'class="required"' not in label_of(page, "id_description")
    assert " required" not in control_of(page, "id_description")


def test_the_proposal_editor_says_needed_to_submit_without_requiring_it_of_a_draft(client):
    organisation = OrganisationFactory()
    pi = MembershipFactory(organisation=organisation).user
    proposal = ProposalFactory(call=CallFactory(), organisation=organisation, principal_investigator=pi, abstract="")
    client.force_login(pi)
    page = client.get(reverse("proposals:proposal_edit", args=[proposal.pk])).content.decode()
    assert "needed to submit" in label_of(page, "id_abstract")
    assert " required" not in control_of(page, "id_abstract")
    assert "needed to submit" in label_of(page, "id_schedule")
    # Heritage is optional even to submit.
    assert "needed to submit" not in label_of(page, "id_heritage")


def test_the_sign_in_form_marks_its_fields_too(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert page.count(LEGEND) == 1
    assert page.count('<span class="required" aria-hidden="true">*</span>') >= 2
