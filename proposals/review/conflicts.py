"""The conflict rules: who must not review a proposal, worked out from its team and the reviewer's ties."""

from django.utils.translation import gettext as _

from proposals.models import Call, Conflict


class ConflictRules:
    """The conflict rules, with each proposal's team and each reviewer's ties worked out once."""

    def __init__(self, overrides=None):
        self.overrides = overrides
        self._teams = {}
        self._ties = {}

    def _team(self, proposal):
        if proposal.pk not in self._teams:
            team = list(proposal.team.all())
            countries = {proposal.organisation.country.code} | {m.country.code for m in team if m.country}
            countries.discard("")
            self._teams[proposal.pk] = (
                {m.user_id for m in team if m.user_id},
                {proposal.organisation_id} | {m.organisation_id for m in team if m.organisation_id},
                countries,
            )
        return self._teams[proposal.pk]

    def _reviewer_ties(self, reviewer, profile):
        if reviewer.pk not in self._ties:
            membership = reviewer.partner_membership
            organisations, countries = set(), set()
            if membership is not None:
                organisations.add(membership.organisation_id)
                if membership.organisation.country:
                    countries.add(membership.organisation.country.code)
            if profile is not None and profile.affiliation_id:
                organisations.add(profile.affiliation_id)
            if profile is not None and profile.country:
                countries.add(profile.country.code)
            self._ties[reviewer.pk] = (organisations, countries)
        return self._ties[reviewer.pk]

    def automatic(self, proposal, reviewer, profile=None):
        """Why the reviewer conflicts with the proposal by the call's rules, or '' when they do not."""
        if reviewer.pk == proposal.principal_investigator_id:
            return _("The reviewer is the principal investigator.")
        people, organisations, team_countries = self._team(proposal)
        if reviewer.pk in people:
            return _("The reviewer is on the team.")
        affiliations, reviewer_countries = self._reviewer_ties(reviewer, profile)
        if affiliations & organisations:
            return _("The reviewer belongs to the lead organisation or a team member's organisation.")
        if proposal.call.conflict_policy == Call.ConflictPolicy.ORGANISATION_AND_COUNTRY and (
            reviewer_countries & team_countries
        ):
            return _("The reviewer is from the same country as the team, which this call excludes.")
        return ""

    def override(self, proposal, reviewer):
        if self.overrides is None:
            return Conflict.objects.filter(proposal=proposal, reviewer=reviewer).first()
        return self.overrides.get((proposal.pk, reviewer.pk))

    def reason(self, proposal, reviewer, profile=None):
        """The reason a reviewer must not see a proposal, or '' — applying declared, added and lifted conflicts."""
        override = self.override(proposal, reviewer)
        if override is not None and override.kind in Conflict.STANDING:
            return override.reason
        if override is not None and override.kind == Conflict.Kind.LIFTED:
            return ""
        return self.automatic(proposal, reviewer, profile)


def automatic_conflict(proposal, reviewer, profile=None):
    """Why the reviewer conflicts with the proposal by the call's rules, or '' when they do not."""
    return ConflictRules().automatic(proposal, reviewer, profile)


def conflict_reason(proposal, reviewer, profile=None, overrides=None):
    """The reason a reviewer must not see a proposal, or '' — applying declared, added and lifted conflicts."""
    return ConflictRules(overrides).reason(proposal, reviewer, profile)
