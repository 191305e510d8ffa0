"""Long text has limits sized to the domain, shown with a counter where JavaScript runs and held by the server:
the form, the API and the database each refuse an abstract longer than NSPIRES's 4,000 characters."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from proposals.models import ABSTRACT_LIMIT, Proposal


def test_the_editor_marks_the_limit_and_loads_the_counter(client, proposal, pi):
    client.force_login(pi)
    page = client.get(reverse("proposals:proposal_edit", args=[proposal.pk])).content.decode()
    assert f'maxlength="{ABSTRACT_LIMIT}"' in page
    assert "js/char-counter.js" in page and "of %(limit)s characters" in page


def test_an_abstract_over_the_limit_is_refused_with_a_message_and_nothing_lost(api_as, proposal, pi):
    response = api_as(pi).patch(
        f"/api/v1/proposals/{proposal.pk}/", {"abstract": "x" * (ABSTRACT_LIMIT + 1)}, format="json"
    )
    assert response.status_code == 400 and "abstract" in response.json()
    assert Proposal.objects.get(pk=proposal.pk).abstract == "Measures the regolith."


def test_the_database_holds_the_limit_too(proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(abstract="x" * (ABSTRACT_LIMIT + 1))
