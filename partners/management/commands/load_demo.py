from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners.choices import Area, CooperationLevel
from partners.demo import APPLICATIONS, DEMO_PASSWORD, PARTNERS, add_applications
from partners.models import Membership, Organisation, email_domain
from proposals.models import Call

User = get_user_model()


class Command(BaseCommand):
    help = "Load the programme's real partners, demo people and applications (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.LOAD_DEMO:
            # The demo's accounts share a published password, an administrator's included.
            raise CommandError(
                "Demo data is not loaded under these settings: its accounts share a published password. "
                "Set LOAD_DEMO=1 to load it on purpose."
            )
        organisations = {}
        for name, native, kind, country, city, joined, website in PARTNERS:
            organisation, _created = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "native_name": native,
                    "kind": kind,
                    "country": country,
                    "city": city,
                    "joined_on": joined,
                    "website": website,
                    "areas": [Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
                    "cooperation_levels": [CooperationLevel.EQUIPMENT, CooperationLevel.SUBSYSTEM],
                    "description": f"{name} takes part in the International Lunar Research Station programme.",
                },
            )
            organisations[name] = organisation

        people = [
            (
                "admin@ilrs.example",
                "Programme Administrator",
                {"is_programme_admin": True, "is_staff": True, "is_superuser": True},
                None,
                None,
            ),
            ("reviewer@ilrs.example", "Independent Reviewer", {"is_reviewer": True}, None, None),
            (
                "thandi.nkosi@sansa.example",
                "Thandi Nkosi",
                {},
                "South African National Space Agency",
                Membership.Role.ADMIN,
            ),
            (
                "pieter.vanwyk@sansa.example",
                "Pieter van Wyk",
                {},
                "South African National Space Agency",
                Membership.Role.MEMBER,
            ),
            (
                "somchai.k@narit.example",
                "Somchai Kittisak",
                {},
                "National Astronomical Research Institute of Thailand",
                Membership.Role.ADMIN,
            ),
            (
                "irina.petrova@roscosmos.example",
                "Irina Petrova",
                {"language": "ru"},
                "Roscosmos State Corporation",
                Membership.Role.ADMIN,
            ),
            (
                "li.wei@dsel.example",
                "Li Wei",
                {"language": "zh-hans"},
                "Deep Space Exploration Laboratory",
                Membership.Role.ADMIN,
            ),
        ]
        for email, full_name, flags, organisation_name, role in people:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, **flags)
            if organisation_name and not Membership.objects.filter(user=user).exists():
                organisation = organisations[organisation_name]
                Membership.objects.create(user=user, organisation=organisation, role=role)
                if not organisation.email_domain:
                    organisation.email_domain = email_domain(email)
                    organisation.save(update_fields=["email_domain"])

        add_applications(APPLICATIONS)

        from proposals import demo as proposals_demo
        from proposals import outcome_demo
        from proposals.review import demo as review_demo

        calls = proposals_demo.load()
        review_demo.load()
        outcome_demo.load()
        calls = Call.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Organisation.objects.count()} partner organisations, {calls} calls for proposals."
            )
        )
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, full_name, _flags, organisation_name, role in people:
            what = f"{Membership.Role(role).label} of {organisation_name}" if organisation_name else full_name
            self.stdout.write(f"  {email:36} {what}")
