"""The guards of pages and endpoints, each built from one named predicate of an app's `permissions.py`.

A rule is written once, as a `rules` predicate; `requires` makes it a page's guard and `permission_class` an
endpoint's DRF permission class. Both keep the predicate they ask as `.predicate`, so a test can read, for every
route, which rule guards it (tests/test_permission_map.py).
"""

import functools

import rules
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from rest_framework.permissions import BasePermission


def _named(predicate):
    if not isinstance(predicate, rules.Predicate):
        raise TypeError(f"{predicate!r} is not a named predicate: declare it with @rules.predicate in a permissions.py")
    return predicate


def requires(predicate):
    """Guard a page with a predicate of the signed-in person: someone signed out is sent to sign in, someone the
    predicate refuses gets the 404 of a page that is not there for them (an administrators' page leaks nothing)."""
    predicate = _named(predicate)
    if predicate.num_args > 1:
        raise TypeError(f"{predicate} asks about an object: a page reaches its object through the object's door")

    def decorator(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate.test(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        guarded.predicate = predicate
        return guarded

    return decorator


def permission_class(predicate):
    """A DRF permission class asking `predicate`: of the person alone in `has_permission`, or of the person and the
    object in `has_object_permission` when the predicate takes one. Someone signed out is answered 401 by DRF."""
    predicate = _named(predicate)
    on_object = predicate.num_args > 1

    def has_permission(self, request, view):
        return on_object or predicate.test(request.user)

    def has_object_permission(self, request, view, obj):
        return not on_object or predicate.test(request.user, obj)

    name = "".join(part.capitalize() for part in predicate.name.replace("|", " ").replace("&", " ").split("_"))
    return type(
        "".join(name.split()),
        (BasePermission,),
        {
            "__doc__": f"Allowed when `{predicate.name}` allows it.",
            "__module__": __name__,
            "predicate": predicate,
            "has_permission": has_permission,
            "has_object_permission": has_object_permission,
        },
    )
