"""Every long text a person writes has a limit: the field carries it (so the live counter shows it, on every page
through the base template), and the form, the API and the service refuse more, with a message and nothing lost."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partners.models import DESCRIPTION_LIMIT, REASON_LIMIT, Organisation, Registration
from proposals.models import DESCRIPTION_LIMIT as CALL_DESCRIPTION_LIMIT
from tests.factories import CallFactory, OrganisationFactory
from tests.partners.support import API_REGISTRATION, JOIN_FORM

pytestmark = pytest.mark.django_db


def test_the_counter_is_loaded_once_on_every_page_with_a_long_text(client, programme_admin):
    page = client.get(reverse("partners:join")).content.decode()
    assert f'maxlength="{DESCRIPTION_LIMIT}"' in page
    assert page.count("js/char-counter.js") == 1 and 'name="char-counter"' in page

    client.force_login(programme_admin)
    call = CallFactory()
    page = client.get(reverse("proposals:call_edit", args=[call.pk])).content.decode()
    assert page.count(f'maxlength="{CALL_DESCRIPTION_LIMIT}"') == 3  # the description in each of three languages
    assert page.count("js/char-counter.js") == 1


def test_the_join_form_refuses_a_description_over_the_limit_and_keeps_what_was_typed(client):
    text = "d" * (DESCRIPTION_LIMIT + 1)
    response = client.post(reverse("partners:join"), {**JOIN_FORM, "description": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page and text in page
    assert not Registration.objects.exists()


def test_the_api_refuses_a_description_over_the_limit_with_a_field_error(db):
    response = APIClient().post(
        "/api/v1/registrations/", {**API_REGISTRATION, "description": "d" * (DESCRIPTION_LIMIT + 1)}, format="json"
    )
    assert response.status_code == 400 and "description" in response.json()
    assert not Registration.objects.exists()


def test_a_reason_over_the_limit_is_refused_on_the_page_and_in_the_api(client, api_as, programme_admin):
    organisation = OrganisationFactory()
    client.force_login(programme_admin)
    url = reverse("partners:organisation_detail", args=[organisation.pk])
    reason = "r" * (REASON_LIMIT + 1)
    response = client.post(url, {"action": "suspend", "reason": reason, "confirmed": "1"}, follow=True)
    assert response.status_code == 200
    assert "within 4,000 characters" in response.content.decode()
    assert 'maxlength="4000"' in response.content.decode()
    response = api_as(programme_admin).post(
        f"/api/v1/organisations/{organisation.pk}/suspend/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    assert Organisation.objects.get(pk=organisation.pk).status == Organisation.Status.ACTIVE


def test_the_call_api_refuses_a_description_over_the_limit(api_as, programme_admin):
    call = CallFactory(status="draft")
    response = api_as(programme_admin).patch(
        f"/api/v1/calls/{call.pk}/", {"description": "d" * (CALL_DESCRIPTION_LIMIT + 1)}, format="json"
    )
    assert response.status_code == 400 and "description" in response.json()
