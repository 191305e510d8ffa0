"""The two guards made from a named predicate: a page's `requires` and an endpoint's `permission_class`."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory

from portal.permissions import permission_class, requires
from tests.factories import UserFactory


@rules.predicate
def is_astronaut(user):
    return bool(user.is_authenticated and user.full_name.startswith("Astronaut"))


@rules.predicate
def wrote(user, note):
    return note["author"] == user.pk


@requires(is_astronaut)
def cockpit(request):
    return HttpResponse("controls")


def _get(user):
    request = RequestFactory().get("/cockpit/?seat=left")
    request.user = user
    return request


@pytest.mark.django_db
def test_a_guarded_page_sends_the_signed_out_to_sign_in_and_is_not_there_for_the_refused():
    signed_out = cockpit(_get(AnonymousUser()))
    assert signed_out.status_code == 302 and signed_out["Location"] == "/accounts/login/?next=/cockpit/%3Fseat%3Dleft"
    with pytest.raises(Http404):
        cockpit(_get(UserFactory(full_name="Passenger Pat")))
    assert cockpit(_get(UserFactory(full_name="Astronaut Ana"))).content == b"controls"
    assert cockpit.predicate is is_astronaut


def test_a_guard_is_made_only_from_a_named_predicate_of_the_person():
    with pytest.raises(TypeError, match="not a named predicate"):
        requires(lambda user: True)
    with pytest.raises(TypeError, match="door"):
        requires(wrote)
    with pytest.raises(TypeError, match="not a named predicate"):
        permission_class(lambda user: True)


@pytest.mark.django_db
def test_an_endpoints_permission_asks_a_predicate_of_the_person_before_the_object():
    permission = permission_class(is_astronaut)()
    request = APIRequestFactory().get("/")
    request.user = UserFactory(full_name="Passenger Pat")
    assert not permission.has_permission(request, None)
    request.user = UserFactory(full_name="Astronaut Ana")
    assert permission.has_permission(request, None)
    assert permission.has_object_permission(request, None, object())
    assert type(permission).predicate is is_astronaut


@pytest.mark.django_db
def test_an_endpoints_permission_asks_a_predicate_of_the_object_once_it_is_found():
    permission = permission_class(wrote)()
    request = APIRequestFactory().get("/")
    request.user = UserFactory()
    assert permission.has_permission(request, None)
    assert permission.has_object_permission(request, None, {"author": request.user.pk})
    assert not permission.has_object_permission(request, None, {"author": request.user.pk + 1})
