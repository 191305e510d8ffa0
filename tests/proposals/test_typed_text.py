"""What a person typed comes back exactly as typed, on the API and on the page, however often it is read.

The requests are committed (transactional database) and repeated, as a browser and a script would make them: no
copy of an answer kept between requests may put anything of its own into the text.
"""

import html

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from proposals.models import Proposal

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TYPED = "Dust analyser csrf-token-placeholder-0c5d9e2f41b7 <mark 2>"


def test_a_title_holding_the_old_csrf_placeholder_text_comes_back_unchanged(pi, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(title=TYPED)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=pi).key}")
    browser = Client()
    browser.force_login(pi)
    for _attempt in range(3):
        listed = api.get("/api/v1/proposals/")
        assert [row["title"] for row in listed.json()["results"]] == [TYPED]
        assert api.get(f"/api/v1/proposals/{proposal.pk}/").json()["title"] == TYPED
        page = browser.get(f"/proposals/{proposal.pk}/")
        assert page.status_code == 200
        assert html.escape(TYPED) in page.text
