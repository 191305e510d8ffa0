"""Every route of the portal, requested by every role, against the expected table in permission_matrix.csv.

The routes are read from the URL configuration (portal.urls, through every include and the API router
with its extra actions), so a new page or endpoint fails `test_every_route_has_a_row_and_every_row_a_route`
until someone decides, in the table, who may reach it. Each route is requested with each method it accepts
(as the view itself declares, see `methods_of`) and an empty body, by each role, on organisation A's object
("own") and on organisation B's ("other") wherever the route takes an id; tests/security/world.py builds
them. Where a route nests one id in another, "other" puts B's object under the role's own container.

Cells of the table:
  ok       2xx, or a redirect to a page other than a login page
  login    a redirect to a login page; from the API 401, or 403 "not authenticated"
  denied   403: the endpoint is closed to the role whatever the object
  hidden   404: one door per object, a forbidden object answers like a missing one
  invalid  400 or 409: reached, but the empty body or the object's state is refused
  n/a      the role has no such object (an export file of someone who never was an administrator)
Anything else (405, 429, 500, an exception) is shown as it is and matches no cell.

Each request runs in a savepoint that is rolled back, so one request's effect (a removed member, an opened
call, a sign-out) never changes what the next one sees; one world per role keeps the run short.
"""

import csv
import json
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners import tokens
from proposals import services as proposal_services

from .world import ROLES, build_world, reset_link_kwargs

TABLE = Path(__file__).with_name("permission_matrix.csv")
OUTCOMES = {"ok", "login", "denied", "hidden", "invalid", "n/a"}

# Routes left out of the matrix, and why.
SKIPPED = {
    "admin/…": "Django's admin screens behind /admin/ (login, model pages, the catch-all) share the staff-only "
    "gate of /admin/ itself, which is in the table; the gate is Django's, not the portal's",
    "set_language": "the language switcher stores a choice for anyone (and on the account of whoever is signed in) "
    "and reads no object",
    "static/media": "django.conf.urls.static serves files only with DEBUG on, never in a deployed portal",
    "bench_hello": "routed only with BENCH_HELLO on, for the load benchmark: a bare 'hello' that reads nothing",
}
# Values for URL arguments that name no object.
CONSTANT_KWARGS = {
    "action": "close",
    "section": "partners",
    "key": "partners_by_country",
    "file_format": "csv",
    "kind": "partners",
}
# What each id of a page refers to; API ids are read from the router's basename and the nested id's name.
ROUTE_OBJECTS = {
    "accounts:password_reset_confirm": {"uidb64": "reset_uid", "token": "reset_token"},
    "partners:verify_email": {"token": "verification_token"},
    "partners:registration_edit": {"token": "edit_token"},
    "partners:invitation_accept": {"token": "invitation_token"},
    "proposals:team_invitation": {"token": "team_invitation_token"},
    "partners:invite": {"pk": "organisation"},
    "partners:revoke_invitation": {"pk": "invitation"},
    "partners:remove_member": {"pk": "membership"},
    "partners:transfer_admin": {"pk": "membership"},
    "partners:registration_detail": {"pk": "registration"},
    "partners:organisation_detail": {"pk": "organisation"},
    "proposals:call_detail": {"pk": "call"},
    "proposals:proposal_start": {"pk": "call"},
    "proposals:proposal_detail": {"pk": "proposal"},
    "proposals:proposal_edit": {"pk": "proposal"},
    "proposals:proposal_submit": {"pk": "proposal"},
    "proposals:proposal_withdraw": {"pk": "proposal"},
    "proposals:proposal_versions": {"pk": "proposal"},
    "proposals:attachment_upload": {"pk": "proposal"},
    "proposals:attachment_download": {"pk": "attachment"},
    "proposals:attachment_remove": {"pk": "attachment"},
    "proposals:call_edit": {"pk": "call"},
    "proposals:call_transition": {"pk": "call"},
    "proposals:call_submissions": {"pk": "call"},
    "proposals:proposal_shortlist": {"pk": "proposal"},
    "proposals:proposal_compliance": {"pk": "proposal"},
    "proposals:review_edit": {"pk": "assignment"},
    "proposals:review_attachment": {"pk": "assignment", "attachment_pk": "attachment"},
    "proposals:assignment_respond": {"pk": "assignment"},
    "proposals:call_review": {"pk": "call"},
    "proposals:call_conflicts": {"pk": "call"},
    "proposals:call_ranking": {"pk": "call"},
    "proposals:release_confirm": {"pk": "call"},
    "proposals:assignment_decline": {"pk": "assignment"},
    "dashboard:export_job": {"pk": "export_job"},
    "dashboard:export_download": {"pk": "export_job"},
    "proposals:call_bids": {"pk": "call"},
    "proposals:call_bidding_deadline": {"pk": "call"},
    "proposals:call_assignments_export": {"pk": "call"},
    "security:end_session": {"pk": "signed_in_session"},
    "security:revoke_token": {"pk": "api_token"},
    "security:remove_passkey": {"pk": "passkey"},
    "security:complete_closure": {"pk": "closure_request"},
}
API_NESTED_IDS = {"invitation_id": "invitation", "attachment_id": "attachment", "assignment_id": "assignment"}
NESTED_IDS = {"attachment_pk", *API_NESTED_IDS}
# Endpoints that check the body before the object: an empty body would stop them short of the door under test.
BODIES = {
    "api:assignment-decline": {"reason": "Travelling during the review period."},
    "api:assignment-conflict": {"reason": "Co-author of the principal investigator."},
    "api:call-release-decisions": {"override": True, "reason": "The panel met without every review."},
}


class Route(NamedTuple):
    key: str  # "namespace:name"
    pattern: str  # the path, as the URL configuration spells it
    kwargs: tuple  # the URL's named arguments
    methods: tuple


def methods_of(callback):
    """The methods a view accepts, from its own declaration; HEAD and OPTIONS are left out."""
    if getattr(callback, "actions", None):  # a DRF viewset route: the router's method → action map
        allowed = callback.cls.http_method_names
        return tuple(method.upper() for method in callback.actions if method in allowed)
    if getattr(callback, "cls", None):  # an APIView or @api_view
        view_class = callback.cls
        names = ("get", "post", "put", "patch", "delete")
    elif getattr(callback, "view_class", None):  # a Django class-based view; its PUT is POST again
        view_class = callback.view_class
        names = ("get", "post")
    else:
        function = callback
        while function is not None:  # @require_POST and friends keep their list in the wrapper's closure
            free = getattr(getattr(function, "__code__", None), "co_freevars", ())
            if "request_method_list" in free:
                methods = function.__closure__[free.index("request_method_list")].cell_contents
                return tuple(method for method in methods if method not in ("HEAD", "OPTIONS"))
            function = getattr(function, "__wrapped__", None)
        return ("GET", "POST")  # a function view that restricts nothing is tried with a form post too
    return tuple(m.upper() for m in names if m in view_class.http_method_names and hasattr(view_class, m))


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield prefix + str(entry.pattern), name, entry


def discover_routes():
    """(routes, skipped): every route of the URL configuration, and the keys of those SKIPPED leaves out."""
    routes, skipped = [], []
    for path, name, entry in _walk(get_resolver()):
        key = name or path
        if path.startswith("admin/") and key != "admin:index":
            skipped.append(("admin/…", key))
        elif key in ("set_language", "bench_hello"):
            skipped.append((key, key))
        elif "document_root" in entry.default_args:
            skipped.append(("static/media", key))
        else:
            kwargs = tuple(entry.pattern.regex.groupindex)
            routes.append(Route(key, path, kwargs, methods_of(entry.callback)))
    return routes, skipped


ROUTES, SKIPPED_ROUTES = discover_routes()


def object_kinds(route):
    """{URL argument: kind of object} for the route's ids; an id nobody has described fails loudly."""
    if route.key in ROUTE_OBJECTS:
        return ROUTE_OBJECTS[route.key]
    kinds = {}
    for name in route.kwargs:
        if name in CONSTANT_KWARGS:
            continue
        if name in API_NESTED_IDS:
            kinds[name] = API_NESTED_IDS[name]
        elif route.key.startswith("api:") and name in ("pk", "id"):
            kinds[name] = route.key.removeprefix("api:").split("-", 1)[0]
        else:
            raise AssertionError(f"{route.key}: say in ROUTE_OBJECTS what its URL argument {name!r} refers to")
    return kinds


def scopes_of(route):
    return ("own", "other") if object_kinds(route) else ("-",)


def load_table():
    """({(route, method, scope): {role: cell}}, the table's own problems)."""
    rows, problems = {}, []
    with TABLE.open(newline="") as file:
        lines = [line for line in file if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines):
        key = (row["route"], row["method"], row["scope"])
        if key in rows:
            problems.append(f"{key} appears twice in permission_matrix.csv")
        rows[key] = {role: (row[role] or "").strip() for role in ROLES}
        problems += [
            f"{key} {role}: {cell!r} is none of {sorted(OUTCOMES)}"
            for role, cell in rows[key].items()
            if cell not in OUTCOMES
        ]
    return rows, problems


def test_every_route_has_a_row_and_every_row_a_route():
    table, problems = load_table()
    keys = [route.key for route in ROUTES]
    problems += [f"two routes are both called {key}" for key in sorted({key for key in keys if keys.count(key) > 1})]
    wanted = {
        (route.key, method, scope): route.pattern
        for route in ROUTES
        for method in route.methods
        for scope in scopes_of(route)
    }
    problems += [
        f"{key[0]} {key[1]} (scope {key[2]}, /{pattern}) is missing: add it to permission_matrix.csv"
        for key, pattern in wanted.items()
        if key not in table
    ]
    problems += [f"{key} names no route of the URL configuration: remove it" for key in table if key not in wanted]
    assert not problems, "\n".join(problems)


def test_only_the_listed_kinds_of_route_are_skipped():
    assert {reason for reason, _key in SKIPPED_ROUTES} <= set(SKIPPED)
    assert "admin:index" in [route.key for route in ROUTES]


# Requests -----------------------------------------------------------------------------------------


def _own(world, role, kind):
    """The role's own object of this kind (organisation A's side), or None when the role has none."""
    mine = {
        "assignment": {"reviewer": world.assignment_a, "conflicted_reviewer": world.conflicted_assignment},
        "review": {"reviewer": world.review_a, "conflicted_reviewer": world.conflicted_review},
        "reviewer": {"reviewer": world.reviewer, "conflicted_reviewer": world.conflicted},
        "export_job": {"programme_admin": world.admin_job},
        "signed_in_session": world.security.sessions,
        "api_token": world.security.tokens,
        "passkey": {},  # a passkey would hold every request at the second-factor step
        "closure_request": {},
    }
    if kind in mine:
        # Someone without one gets organisation A's: the assignment and review on proposal A, the reviewer.
        fallback = {
            "assignment": world.assignment_a,
            "review": world.review_a,
            "reviewer": world.reviewer,
            "closure_request": world.security.closure_a,
        }
        return mine[kind].get(role, fallback.get(kind))
    return _side_object(world, world.a, kind, own=True)


def _other(world, role, kind):
    """Organisation B's object of this kind; for calls the draft call, for export files someone else's."""
    others = {
        "assignment": world.assignment_b,
        "review": world.review_b,
        "reviewer": world.reviewer_b,
        "export_job": world.second_admin_job if role == "programme_admin" else world.admin_job,
        "signed_in_session": world.security.stranger_session,
        "api_token": world.security.stranger_token,
        "passkey": world.security.stranger_passkey,
        "closure_request": world.security.closure_b,
    }
    if kind in others:
        return others[kind]
    return _side_object(world, world.b, kind, own=False)


def _side_object(world, side, kind, *, own):
    if kind == "call":
        return side.call if own else world.draft_call
    if kind == "mission":
        return (side.call if own else world.draft_call).mission
    if kind in ("organisation", "registration", "invitation", "membership", "proposal", "attachment"):
        return getattr(side, kind)
    reset_link = reset_link_kwargs(side.membership.user)
    signed = {
        "verification_token": lambda: tokens.verification_token(side.registration),
        "edit_token": lambda: tokens.edit_token(side.registration),
        "invitation_token": lambda: tokens.invitation_token(side.invitation),
        "team_invitation_token": lambda: proposal_services.team_invitation_token(side.team_invitation),
        "reset_uid": lambda: reset_link["uidb64"],
        "reset_token": lambda: reset_link["token"],
    }
    return signed[kind]()


def url_for(world, route, role, scope):
    """The route's URL with the role's own or the other organisation's ids; None when the role has no such object."""
    kwargs = {name: CONSTANT_KWARGS[name] for name in route.kwargs if name in CONSTANT_KWARGS}
    nested = NESTED_IDS.intersection(route.kwargs)
    for name, kind in object_kinds(route).items():
        other = scope == "other" and (name in nested or not nested)
        value = _other(world, role, kind) if other else _own(world, role, kind)
        if value is None:
            return None
        kwargs[name] = getattr(value, "pk", value)
    return reverse(route.key, kwargs=kwargs or None)


def outcome_of(response):
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if 300 <= code < 400:
        login_pages = {reverse(settings.LOGIN_URL), reverse("admin:login")}
        return "login" if urlsplit(response["Location"]).path in login_pages else "ok"
    if code == 401:
        return "login"
    if code == 403:
        detail = response.data.get("detail") if isinstance(getattr(response, "data", None), dict) else None
        return "login" if getattr(detail, "code", None) == "not_authenticated" else "denied"
    if code == 404:
        return "hidden"
    if code in (400, 409):
        return "invalid"
    return str(code)


def send(client, route, method, url):
    """One request, rolled back afterwards; an exception is reported as the 500 it would be."""
    with transaction.atomic():
        try:
            if route.key in BODIES:
                response = client.generic(method, url, json.dumps(BODIES[route.key]), content_type="application/json")
            elif method == "GET":
                response = client.get(url)
            elif method == "POST":
                response = client.post(url, {})
            elif method == "DELETE":
                response = client.delete(url)
            else:
                response = client.generic(method, url, "{}", content_type="application/json")
            if response.streaming:  # a download or an export runs its queries as it is read
                b"".join(response.streaming_content)
            result = outcome_of(response)
        except Exception as error:  # noqa: BLE001 - whatever a view raises is the finding
            result = f"500 ({type(error).__name__}: {error})"
        transaction.set_rollback(True)
    return result


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    table, problems = load_table()
    assert not problems, "\n".join(problems)
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    session = {name: morsel.value for name, morsel in client.cookies.items()}

    mismatches = []
    for route in ROUTES:
        for method in route.methods:
            for scope in scopes_of(route):
                row = table.get((route.key, method, scope))
                if row is None:
                    continue  # reported by test_every_route_has_a_row_and_every_row_a_route
                url = url_for(world, route, role, scope)
                got = "n/a" if url is None else send(client, route, method, url)
                client.cookies = SimpleCookie(session)  # the next request starts from the same session
                if got != row[role]:
                    mismatches.append(f"{route.key} {method} {scope}: expected {row[role]}, got {got}  [{url}]")
    assert not mismatches, f"{role}: {len(mismatches)} cells differ from permission_matrix.csv\n" + "\n".join(
        mismatches
    )
