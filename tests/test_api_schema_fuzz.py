"""Schemathesis sends generated requests to every operation of the OpenAPI schema, in process through WSGI.

Every generated request is sent anonymously and as each role, and every answer must be free of server errors
and match the schema: a documented status code, the documented content type, headers and body. Then again with
hostile headers (NUL bytes in User-Agent, Authorization and Cookie; a forged X-Forwarded-For) and, where the
operation reads JSON, a body nested a thousand levels deep.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partners.models import Membership
from proposals.models import Call, Proposal, Review, ReviewAssignment
from tests.factories import (
    CallFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.services

ROLES = ["anonymous", "programme_admin", "partner_member", "reviewer"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Which seeded rows a path parameter can name: by its own name, or for `{id}` by the collection before it.
COLLECTIONS = {
    "registrations": "registration",
    "organisations": "organisation",
    "missions": "mission",
    "calls": "call",
    "proposals": "proposal",
    "reviewers": "reviewer",
    "assignments": "assignment",
    "reviews": "review",
}
NESTED = {"invitation_id": "invitation", "assignment_id": "assignment"}

# The seeded programme's ids, for the path-parameter hook; the `programme` fixture fills it for each test.
EXISTING_IDS = {}

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# The coverage phase sends every boundary case the schema defines, thousands for the larger bodies: minutes,
# not seconds. The examples and the fuzzing phase (bounded by max_examples) keep the run short.
schema.config.phases.update(phases=["examples", "fuzzing"])


def existing_ids_for(path, ids):
    """Seeded ids for each path parameter of `path`: /api/v1/calls/{id}/ gives {"id": [the calls' ids]}."""
    segments = path.strip("/").split("/")
    known = {}
    for position, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment.strip("{}")
            kind = NESTED.get(name) or COLLECTIONS.get(segments[position - 1])
            if ids.get(kind):
                known[name] = ids[kind]
    return known


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time a path names rows that exist, so detail routes reach real objects and not only 404s."""
    known = existing_ids_for(context.operation.path, EXISTING_IDS)
    if not known or not path_parameters:
        return st.just(path_parameters)
    existing = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.one_of(st.just(path_parameters), existing.map(lambda found: {**path_parameters, **found}))


@pytest.fixture
def shared_connection(db):
    """The in-process requests run on the test's connection, inside its transaction, as with Django's test client.

    Django closes a connection that is inside a transaction when a request starts or ends; the test client
    switches that off for its requests, and so does this fixture. The transaction is rolled back afterwards.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def programme(shared_connection):
    """An open call with a draft proposal, a call in review with an accepted assignment and a draft review,
    an application to join and an invitation; the people of each role."""
    admin = UserFactory(email="admin@programme.example.org", is_programme_admin=True)
    organisation = OrganisationFactory(name="South Lunar Institute", country="ZA")
    member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    open_call = CallFactory(title="Chang'e-8 payloads", reference="ce8-2026")
    draft = ProposalFactory(call=open_call, organisation=organisation, principal_investigator=member)
    review_call = CallFactory(title="Chang'e-7 payloads", reference="ce7-2025")
    submitted = ProposalFactory(
        call=review_call,
        organisation=organisation,
        principal_investigator=member,
        status=Proposal.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    now = timezone.now()
    Call.objects.filter(pk=review_call.pk).update(
        status=Call.Status.UNDER_REVIEW, deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=14)
    )
    reviewer = ReviewerProfileFactory(user__email="rita@reviewers.example.org").user
    assignment = ReviewAssignmentFactory(proposal=submitted, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)
    review = ReviewFactory(assignment=assignment, status=Review.Status.DRAFT, submitted_at=None)
    registration = RegistrationFactory()
    invitation = InvitationFactory(organisation=organisation, invited_by=admin)
    EXISTING_IDS.update(
        registration=[registration.pk],
        organisation=[organisation.pk],
        mission=[open_call.mission_id, review_call.mission_id],
        call=[open_call.pk, review_call.pk],
        proposal=[draft.pk, submitted.pk],
        reviewer=[reviewer.pk],
        assignment=[assignment.pk],
        review=[review.pk],
        invitation=[invitation.pk],
    )
    yield {"programme_admin": admin, "partner_member": member, "reviewer": reviewer}
    EXISTING_IDS.clear()


@pytest.fixture
def credentials(programme):
    """The header each role signs in with: a DRF token, as an API client would."""
    return {role: {"Authorization": f"Token {Token.objects.create(user=user).key}"} for role, user in programme.items()}


# One parameter set: without one, Schemathesis 4.32 on pytest 9 gives every item the same node id; with it, each
# item is named after its operation, e.g. `...[GET /api/v1/calls/][every role]`.
@pytest.mark.parametrize("roles", [ROLES], ids=["every role"])
@schema.parametrize()
# Derandomized and without the example database, so every run sends the same requests. The fixtures hold
# for all the examples of an operation; the health checks for that and for slow generation are off.
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_operation_answers_within_its_schema(case, roles, credentials, django_capture_on_commit_callbacks):
    for role in roles:
        # Throttle counters and lock-outs live in the cache: each request starts clean, so 429s hide nothing.
        cache.clear()
        # The portal ignores X-Role; it names the role in the curl line that reports a failure.
        headers = {"X-Role": role, **credentials.get(role, {})}
        # What a commit sets off (emails, tasks) runs after each request, as it would in production.
        with django_capture_on_commit_callbacks(execute=True):
            case.call_and_validate(headers=headers, checks=CHECKS)


# The hostile requests of the adversarial run (issue 15): each header set replaces or joins a member's token.
HOSTILE_HEADERS = {
    "NUL in User-Agent": {"User-Agent": "brute\x00force"},
    "NUL in a token": {"Authorization": "Token abc\x00def"},
    "NUL in the session cookie": {"Authorization": None, "Cookie": "sessionid=abcdefgh\x00ijklmnop"},
    "forged X-Forwarded-For": {"X-Forwarded-For": "203.0.113.66, 198.51.100.7"},
}
NESTED_BODY = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("hostile", [HOSTILE_HEADERS], ids=["hostile headers and bodies"])
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_hostile_headers_and_bodies_answer_within_the_schema(
    case, hostile, credentials, django_capture_on_commit_callbacks
):
    member = {"X-Role": "partner_member", **credentials["partner_member"]}
    for name, extra in hostile.items():
        cache.clear()
        headers = {key: value for key, value in {**member, **extra}.items() if value is not None}
        headers["X-Role"] = f"partner_member, {name}"
        with django_capture_on_commit_callbacks(execute=True):
            case.call_and_validate(headers=headers, checks=CHECKS)
    if case.media_type == "application/json" and case.method.upper() in ("POST", "PUT", "PATCH"):
        cache.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = case.call_and_validate(
                headers={**member, "X-Role": "nested body"}, data=NESTED_BODY, checks=CHECKS
            )
        assert response.status_code in (400, 401, 403, 404, 409), response.status_code
