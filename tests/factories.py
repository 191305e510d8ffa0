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
