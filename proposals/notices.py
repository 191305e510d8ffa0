"""Telling a proposal's team of a change: an email to each of them, and a notice in the portal for those with an
account. Used by the services of drafting, submission and review alike, so it sits apart from all of them."""

from django.urls import reverse

from portal.middleware import absolute_url
from portal.notifications.services import notify, queue_email


def team_recipients(proposal):
    """The PI and every co-investigator with an email, once each."""
    people = {proposal.principal_investigator.email.lower(): proposal.principal_investigator}
    for member in proposal.team.all():
        if member.email and member.email.lower() not in people and not member.is_invited:
            people[member.email.lower()] = member.user
    return people


def email_team(proposal, template, context, notice):
    """Email each of the team and add `notice` (a lazily translated text, filled with the title and
    `context`'s values) to the notifications of those with an account, each in their own language."""
    link = absolute_url(reverse("proposals:proposal_detail", args=[proposal.pk]))
    for email, user in team_recipients(proposal).items():
        queue_email(
            to=email, template=template, recipient=user, context={"proposal": proposal, "link": link, **context}
        )
        if user is not None:
            notify(user=user, message=notice, params={"title": proposal.title, **context}, link=link)
