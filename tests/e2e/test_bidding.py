"""Bidding in a browser: on a 390 px phone, and with JavaScript switched off, a reviewer bids and the bid is kept."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.models import Affinity, Bid, Call, Proposal
from tests.factories import PASSWORD, CallFactory, ProposalFactory, ReviewerProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def bidding_call():
    call = CallFactory(title="Chang'e-8 payloads", status=Call.Status.UNDER_REVIEW)
    reviewer = ReviewerProfileFactory(user__email="rita@reviewers.example.org").user
    titles = ["A very long proposal title about broadband seismometers on the far side of the Moon", "Radio array"]
    proposals = [
        ProposalFactory(call=call, title=title, status=Proposal.Status.SUBMITTED, submitted_at=timezone.now())
        for title in titles
    ]
    Affinity.objects.create(proposal=proposals[0], reviewer=reviewer, score=0.7, rank=1, terms=["seismometers"])
    return call, reviewer, proposals


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("javascript", [True, False], ids=["phone", "phone-without-javascript"])
def test_a_reviewer_bids_on_a_phone(new_browser_page, live_server, bidding_call, javascript):
    call, reviewer, proposals = bidding_call
    page = new_browser_page(java_script_enabled=javascript, **PHONE)
    base = live_server.url
    _sign_in(page, base, reviewer.email)

    page.goto(f"{base}/reviews/")
    page.click("main a[href='/reviews/bids/']")
    page.click(f"main a[href='/reviews/calls/{call.pk}/bids/']")
    legends = page.locator("fieldset.bid legend")
    expect(legends.first).to_contain_text("broadband seismometers")
    if javascript:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
        box = page.locator(f"label:has(input[name='bid-{proposals[0].pk}'][value=eager])").bounding_box()
        assert box["height"] >= 44, "a bid is a large enough tap target"

    page.check(f"input[name='bid-{proposals[0].pk}'][value=eager]")
    page.check(f"input[name='bid-{proposals[1].pk}'][value=not_willing]")
    page.click("form.bids button[type=submit]")
    expect(page.locator("main")).to_contain_text("Your bids are saved")
    assert dict(Bid.objects.values_list("proposal", "value")) == {
        proposals[0].pk: "eager",
        proposals[1].pk: "not_willing",
    }
    expect(page.locator(f"input[name='bid-{proposals[0].pk}'][value=eager]")).to_be_checked()
