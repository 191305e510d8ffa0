"""Every route's guard is a named predicate of a `permissions.py`: one rule, one place.

The routes are read from the URL configuration (every include and the API router with its extra actions). A page
is guarded by `portal.permissions.requires(predicate)`; an endpoint by a DRF permission class made with
`portal.permissions.permission_class(predicate)`. Both keep the predicate they ask, and the predicate must be one
that a `permissions.py` module names. Pages and endpoints open to anyone signed in may say only that
(`login_required`, `IsAuthenticated`), their objects being reached through the objects' doors; the few open to
everyone are listed below with the reason. A hand-written guard (a role flag read in a view, a permission class
written out) fails here.
"""

import ast
import importlib
from pathlib import Path

import pytest
import rules
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

ROOT = Path(__file__).resolve().parent.parent
APPS = ("partners", "proposals", "portal")

# Open to everyone, signed in or not, and why.
PUBLIC = {
    "home": "the programme's front page",
    "healthz": "the liveness probe",
    "readyz": "the readiness probe",
    "bench_hello": "routed only for the load benchmark",
    "set_language": "the language switcher",
    "accounts:login": "signing in",
    "accounts:logout": "signing out",
    "accounts:password_reset": "asking for a password link",
    "accounts:password_reset_done": "the page after asking for it",
    "accounts:password_reset_confirm": "the emailed link, checked by its token",
    "accounts:password_reset_complete": "the page after choosing a password",
    "partners:directory": "the public directory of partners",
    "partners:join": "applying to join",
    "partners:join_done": "the page after applying",
    "partners:verify_email": "the emailed link, checked by its token",
    "partners:registration_edit": "the emailed link, checked by its token",
    "partners:invitation_accept": "the emailed invitation, checked by its token",
    "proposals:call_list": "published calls",
    "proposals:call_detail": "a published call (drafts through the call's door)",
    "dashboard:participation": "the public participation figures",
    "schema": "the API's description",
    "api-docs": "the API's documentation",
    "api:token POST": "exchanging email and password for a token",
    "api:registration-list POST": "applying to join through the API",
    "api:organisation-list GET": "the public directory (full records through the organisation's door)",
    "api:organisation-detail GET": "one organisation of the directory",
    "api:mission-list GET": "the programme's missions",
    "api:mission-detail GET": "one mission",
    "api:call-list GET": "published calls",
    "api:call-detail GET": "one published call",
}
# Signed-in only, and checked by the view itself rather than a decorator, and why.
SIGNED_IN_BY_HAND = {
    "proposals:proposal_edit": "a post from an expired session keeps what was typed until the person signs in "
    "again; the proposal is reached through get_proposal_for(for_change=True)",
}
# Not the portal's: Django's admin (staff only, behind its own sign-in) and the passkey endpoints of
# django-otp-webauthn (each checks the signed-in person itself).
FOREIGN_PATHS = ("admin/", "accounts/passkeys/")


def predicates_of_permission_modules():
    """Every named predicate a `permissions.py` module of the portal's apps holds, by identity."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("permissions.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if name == "portal.permissions":
                continue  # the guards' factory, not a module of rules
            module = importlib.import_module(name)
            found |= {id(value) for value in vars(module).values() if isinstance(value, rules.Predicate)}
    return found


PREDICATES = predicates_of_permission_modules()


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name or prefix + str(entry.pattern), prefix + str(entry.pattern), entry


# (key, path, view) of each route: the key is the route's name with its namespaces ("proposals:call_review").
ROUTES = [
    (key, path, entry.callback)
    for key, path, entry in _walk(get_resolver())
    if not path.startswith(FOREIGN_PATHS) and "document_root" not in entry.default_args
]


def _endpoint_methods(callback):
    if getattr(callback, "actions", None):
        return [method.upper() for method in callback.actions if method in callback.cls.http_method_names]
    return [
        method.upper()
        for method in ("get", "post", "put", "patch", "delete")
        if method in callback.cls.http_method_names and hasattr(callback.cls, method)
    ]


def endpoint_permissions(callback, method):
    """The permission objects a DRF view checks for `method`, as it would build them for a request."""
    view = callback.cls(**callback.initkwargs)
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    if getattr(callback, "actions", None):
        view.action_map = callback.actions
    view.request = view.initialize_request(APIRequestFactory().generic(method, "/"))
    return view.get_permissions()


def page_guard(callback):
    """("predicate", the predicate) for a page behind `requires`, ("login", None) behind `login_required`, else
    (None, None)."""
    function = callback
    while function is not None:
        if getattr(function, "predicate", None) is not None:
            return "predicate", function.predicate
        free = getattr(getattr(function, "__code__", None), "co_freevars", ())
        if "test_func" in free:
            test = function.__closure__[free.index("test_func")].cell_contents
            if test.__qualname__.startswith("login_required."):
                return "login", None
        function = getattr(function, "__wrapped__", None)
    return None, None


def guards():
    """(route and method, kind of guard, predicate): kind is "predicate", "login", "public" or what is wrong."""
    for key, _path, callback in ROUTES:
        view_class = getattr(callback, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            for method in _endpoint_methods(callback):
                route = f"{key} {method}"
                for permission in endpoint_permissions(callback, method):
                    predicate = getattr(type(permission), "predicate", None)
                    if predicate is not None:
                        yield route, "predicate", predicate
                    elif type(permission) is IsAuthenticated:
                        yield route, "login", None
                    elif type(permission) is AllowAny:
                        yield route, "public" if route in PUBLIC or key in PUBLIC else "open to all", None
                    else:
                        yield route, f"hand-written {type(permission).__name__}", None
        else:
            kind, predicate = page_guard(callback)
            if kind is None:
                kind = "public" if key in PUBLIC else "login" if key in SIGNED_IN_BY_HAND else "unguarded"
            yield key, kind, predicate


GUARDS = list(guards())


def test_the_routes_are_found():
    keys = {route for route, _kind, _predicate in GUARDS}
    assert {"proposals:call_review", "api:call-assignments POST", "api:reviewer-me GET"} <= keys


def test_every_guard_asks_a_named_predicate_of_a_permissions_module():
    problems = [
        f"{route}: {kind}"
        for route, kind, predicate in GUARDS
        if kind not in ("predicate", "login", "public") or (kind == "predicate" and id(predicate) not in PREDICATES)
    ]
    assert not problems, "\n".join(problems)


def test_the_administrators_pages_are_guarded_by_a_rule_not_by_signing_in_alone():
    pages = {key for key, path, _callback in ROUTES if path.startswith("manage/")}
    assert len(pages) > 20
    kinds = {route: kind for route, kind, _predicate in GUARDS if route in pages}
    assert {route: kind for route, kind in kinds.items() if kind != "predicate"} == {}


def test_the_lists_of_exceptions_name_real_routes():
    keys = {key for key, _path, _callback in ROUTES} | {route for route, _kind, _predicate in GUARDS}
    unknown = sorted((set(PUBLIC) - {"bench_hello"} | set(SIGNED_IN_BY_HAND)) - keys)
    assert not unknown, unknown


# Hand-written guards ---------------------------------------------------------------------------------

ROLE_FLAGS = {"is_programme_admin", "is_reviewer", "is_staff", "is_superuser"}


def _front_modules():
    """The views and API modules: they ask predicates, never read a role themselves."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if path.stem in ("views", "api") or path.stem.endswith(("_views", "_api")):
                yield path


@pytest.mark.parametrize("path", sorted(_front_modules()), ids=lambda path: str(path.relative_to(ROOT)))
def test_views_and_endpoints_ask_predicates_rather_than_read_roles_or_write_permission_classes(path):
    tree = ast.parse(path.read_text())
    problems = [
        f"line {node.lineno}: reads the role flag .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ROLE_FLAGS
        # `permissions.is_reviewer` is the predicate; `request.user.is_reviewer` the flag.
        and not (isinstance(node.value, ast.Name) and node.value.id.endswith("permissions"))
    ]
    problems += [
        f"line {node.lineno}: class {node.name} writes a permission out; use portal.permissions.permission_class"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "attr", getattr(base, "id", "")) == "BasePermission" for base in node.bases)
    ]
    assert not problems, "\n".join(problems)


def test_templates_show_a_button_by_a_predicate_rather_than_a_role_flag():
    problems = [
        f"{path.relative_to(ROOT)}: reads user.{flag}"
        for path in (ROOT / "templates").rglob("*.html")
        for flag in ROLE_FLAGS
        if f"user.{flag}" in path.read_text()
    ]
    assert not problems, "\n".join(problems)
