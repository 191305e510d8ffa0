import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partners.choices import Area, CooperationLevel, OrganisationKind
from partners.models import Invitation, Membership, Organisation, Registration

PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Lunar Institute {n}")
    kind = OrganisationKind.RESEARCH_INSTITUTE
    country = "ZA"
    city = "Pretoria"
    areas = factory.LazyFunction(lambda: [Area.PAYLOADS])
    cooperation_levels = factory.LazyFunction(lambda: [CooperationLevel.EQUIPMENT])
    email_domain = factory.Sequence(lambda n: f"institute{n}.example.org")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    name = factory.Sequence(lambda n: f"Applicant Observatory {n}")
    kind = OrganisationKind.RESEARCH_INSTITUTE
    country = "TH"
    city = "Chiang Mai"
    areas = factory.LazyFunction(lambda: [Area.SCIENTIFIC_OBJECTIVES])
    cooperation_levels = factory.LazyFunction(lambda: [CooperationLevel.EQUIPMENT])
    contact_name = factory.Faker("name")
    contact_email = factory.Sequence(lambda n: f"contact{n}@observatory{n}.example.org")
    terms_accepted_at = factory.LazyFunction(timezone.now)
    status = Registration.Status.PENDING_REVIEW
    email_verified_at = factory.LazyFunction(timezone.now)
    queued_at = factory.LazyFunction(timezone.now)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


class MissionFactory(DjangoModelFactory):
    class Meta:
        model = "proposals.Mission"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Chang'e-{n + 7}")
    phase = "construction_1"
    target_launch_year = 2028


class CallFactory(DjangoModelFactory):
    """An open single-stage call with one lander: 10 kg, 50 W average, 80 W peak per payload."""

    class Meta:
        model = "proposals.Call"
        skip_postgeneration_save = True

    mission = factory.SubFactory(MissionFactory)
    title = factory.Sequence(lambda n: f"Payload call {n}")
    reference = factory.Sequence(lambda n: f"call-{n}")
    description = "International payloads."
    deadline = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    status = "open"

    @factory.post_generation
    def platforms(self, create, extracted, **kwargs):
        if create and extracted is None:
            PlatformFactory(call=self)


class PlatformFactory(DjangoModelFactory):
    class Meta:
        model = "proposals.Platform"

    call = factory.SubFactory(CallFactory)
    kind = "lander"
    name = "Lander"
    total_mass_kg = 30
    total_average_power_w = 120
    total_data_mb_per_day = 2000
    max_mass_kg = 10
    max_average_power_w = 50
    max_peak_power_w = 80
    max_length_mm = 300
    max_width_mm = 150
    max_height_mm = 150
    min_operating_temp_c = -180
    max_operating_temp_c = 80


class ProposalFactory(DjangoModelFactory):
    """A complete draft within the lander's limits, ready to submit."""

    class Meta:
        model = "proposals.Proposal"

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    principal_investigator = factory.LazyAttribute(lambda o: MembershipFactory(organisation=o.organisation).user)
    created_by = factory.SelfAttribute("principal_investigator")
    title = factory.Sequence(lambda n: f"Regolith instrument {n}")
    abstract = "Measures the regolith."
    cooperation_level = "equipment"
    cooperation_mode = "in_kind"
    areas = factory.LazyFunction(lambda: ["payloads", "scientific_objectives"])
    platform = factory.LazyAttribute(lambda o: o.call.platforms.first())
    mass_kg = 4
    average_power_w = 20
    peak_power_w = 40
    length_mm = 200
    width_mm = 100
    height_mm = 100
    data_mb_per_day = 100
    min_operating_temp_c = -150
    max_operating_temp_c = 60
    trl_now = 6
    trl_delivery = 8
    science_objectives = "Dust transport."
    schedule = "Delivery in 2027."


class TeamMemberFactory(DjangoModelFactory):
    """A co-investigator with a portal account in the proposal's lead organisation.

    Pass `user=None` with `full_name`, `email` and `organisation_name` for someone outside the portal.
    """

    class Meta:
        model = "proposals.TeamMember"

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.LazyAttribute(lambda o: MembershipFactory(organisation=o.proposal.organisation).user)
    organisation = factory.LazyAttribute(lambda o: o.user.organisation if o.user else None)
    full_name = factory.LazyAttribute(lambda o: o.user.full_name if o.user else "Outside Expert")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    organisation_name = factory.LazyAttribute(lambda o: o.organisation.name if o.organisation else "Outside Laboratory")
    country = factory.LazyAttribute(lambda o: o.organisation.country if o.organisation else "")
    role = "Co-investigator"


class ReviewerProfileFactory(DjangoModelFactory):
    """An external reviewer (no partner membership) from Germany, expert in payloads, taking up to 6 per call."""

    class Meta:
        model = "proposals.ReviewerProfile"

    user = factory.SubFactory(UserFactory, is_reviewer=True)
    expertise_areas = factory.LazyFunction(lambda: ["payloads"])
    keywords = "regolith, dust"
    external_affiliation = "Independent Space Science Institute"
    country = "DE"
    max_load_per_call = 6


class ReviewAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "proposals.ReviewAssignment"

    proposal = factory.SubFactory(ProposalFactory)
    reviewer = factory.LazyAttribute(lambda o: ReviewerProfileFactory().user)
    status = "accepted"


class ReviewFactory(DjangoModelFactory):
    """A submitted review grading every criterion of the call with `grade`."""

    class Meta:
        model = "proposals.Review"
        exclude = ["grade"]

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    grade = 4
    scores = factory.LazyAttribute(lambda o: {c["key"]: o.grade for c in o.assignment.proposal.call.criteria})
    strengths = "Clear objectives."
    weaknesses = "Thermal design is thin."
    confidential_comment = "Team is small for the scope."
    status = "submitted"
    submitted_at = factory.LazyFunction(timezone.now)
