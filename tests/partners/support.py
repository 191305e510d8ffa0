"""Helpers for the partners tests: what an applicant types, the links in sent emails, the audit trail."""

from django.core import mail

from portal.audit.models import AuditEvent
from tests.helpers import links_in, path_of

JOIN_FORM = {
    "name": "Lunar Geology Centre",
    "native_name": "Kituo cha Jiolojia ya Mwezi",
    "kind": "research_institute",
    "country": "KE",
    "city": "Nairobi",
    "website": "https://lgc.example.org",
    "description": "Regolith studies in the highlands.",
    "areas": ["payloads", "scientific_objectives"],
    "cooperation_levels": ["equipment"],
    "contact_name": "Wanjiru Kamau",
    "contact_position": "Director",
    "contact_email": "wanjiru@lgc.example.org",
    "accept_terms": "on",
}

API_REGISTRATION = {
    "name": "Andes Lunar Group",
    "kind": "university",
    "country": "BO",
    "city": "La Paz",
    "areas": ["payloads"],
    "cooperation_levels": ["equipment"],
    "contact_name": "Ana Quispe",
    "contact_email": "ana@andes.example.org",
    "accept_terms": True,
}


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def emailed_link(message, fragment):
    """The one link in an email's text containing `fragment`, as a path on the test server."""
    found = [url for url in links_in(message) if fragment in url]
    assert len(found) == 1, f"expected one link with {fragment!r} in {message.body!r}"
    return path_of(found[0])


def audit_trail(obj):
    """The audit rows about one object, oldest first, as (action, from_state, to_state)."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("pk")
    return [(event.action, event.from_state, event.to_state) for event in events]


def last_event(action):
    return AuditEvent.objects.filter(action=action).latest("pk")


def page_text(response):
    return response.content.decode()
