"""Chromium for the browser tests, and what every page a browser test opens is held to.

Each document a test's pages show is checked with axe-core against the WCAG 2.1 A and AA rules; each page's
transfer (the document and everything it loads) is weighed; and every request must go to the live server. A
test that otherwise passes fails at its end on a serious or critical violation, on a page over its weight
budget (PAGE_WEIGHT_BUDGET_KB), or on a request to another host. The weights are printed at the end of the run.
"""

import functools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from django.db import connections
from django.urls import Resolver404, resolve

from .screens import build_screens_world

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# axe-core as the axe-playwright-python package ships it, handed to each page from disk: no CDN is involved.
AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = ("serious", "critical")
# What a test does that may take a page to another document: each first audits the documents shown.
# fmt: off
ACTIONS = (
    "goto", "reload", "go_back", "go_forward", "set_content", "click", "dblclick", "tap", "press",
    "press_sequentially", "type", "fill", "clear", "check", "uncheck", "set_checked", "select_option",
    "set_input_files", "dispatch_event", "drag_and_drop", "drag_to", "hover", "focus",
)
# fmt: on
KEY_AND_MOUSE_ACTIONS = ("press", "type", "insert_text", "down", "up", "click", "dblclick")
# Claims a document for one audit; a new document has a new window, so it is audited afresh.
AXE_CLAIM = "() => window.__portalAxeAudited ? false : (window.__portalAxeAudited = true)"
AXE_RUN = """async (options) => (await axe.run(document, options)).violations.map((violation) => ({
  id: violation.id, impact: violation.impact, help: violation.help,
  targets: violation.nodes.map((node) => node.target.join(" ")),
}))"""

# The heaviest page of the portal measured (the table at the end of a run) is the administrators' dashboard: 88 KB
# for its document, with some twenty charts drawn as SVG beside their tables, and its two stylesheets. The budget
# leaves room for growth, not for a web font, a chart library or a front-end framework.
PAGE_WEIGHT_BUDGET_KB = 150
# Swagger UI, the API reference for developers, is drf-spectacular-sidecar's script bundle (2.4 MB) served by the
# portal itself. It is not the portal's own markup either, and is left out of the axe audit.
API_DOCS = "/api/docs/"
API_DOCS_WEIGHT_BUDGET_KB = 2600

# The heaviest transfer of each page seen in this run, by page name: (requests, bytes).
PAGE_WEIGHTS = {}


def page_name(url):
    """The route of a page as the URL configuration spells it, so that one screen is one row of the weights."""
    path = urlsplit(url).path
    try:
        return "/" + resolve(path).route
    except Resolver404:
        return path


def weight_budget_kb(name):
    return API_DOCS_WEIGHT_BUDGET_KB if name == API_DOCS else PAGE_WEIGHT_BUDGET_KB


@dataclass
class PageView:
    url: str
    requests: list = field(default_factory=list)


class BrowserChecks:
    """Audits, weighs and watches the requests of every page a test opens with `watch`.

    When axe runs. Playwright's sync API cannot run axe from an event handler: the handler's calls share the
    test's thread, a "load" handler's audit races the test's next navigation, and a route handler that holds a
    navigation cannot evaluate anything in the page it is leaving (Chromium answers only once the navigation
    is let go). So the handlers only note that a page has committed a new document, and the document is
    audited at the next moment the test could leave it: before each action of Playwright's Page, Frame,
    Locator, ElementHandle, Keyboard and Mouse (a click, a key press, a `goto`, a fill...; see
    `audit_before_actions`), once its "load" has fired so that its styles apply, and finally when the test's
    body has returned (`finish`, called from pytest_runtest_call below). The journey tests are thus checked
    without calling anything. Each document is audited once (AXE_CLAIM marks its window). A document that the
    page leaves by itself, with no action of the test in between (a refresh, a redirect), is not audited.

    Axe is handed to the page with page.evaluate, through the DevTools protocol, which the page's Content
    Security Policy does not govern; the policy stays in force for everything the portal itself loads. A page
    with JavaScript switched off is not audited: axe waits on timers, which do not fire there. The portal's
    pages have no scripts, so the same documents are audited where JavaScript is on.

    Every request is routed and let through untouched: routing switches off the browser's HTTP cache, so each
    page's weight is its full, first-visit transfer whatever the order of the visits.
    """

    def __init__(self, base_url):
        self.base_url = base_url
        self.violations = []
        self.audit_errors = []
        self.audited = []
        self.views = {}
        self._unaudited = set()

    def watch(self, page, *, audit=True):
        self.views[page] = []
        page.route("**/*", lambda route: route.fallback())
        page.on("request", lambda request: self._record(page, request))
        if audit:
            page.on("framenavigated", lambda frame: self._navigated(page, frame))
        return page

    def audit_before_actions(self, monkeypatch):
        """Have every action of the Playwright sync API first audit the documents committed since the last."""
        from playwright import sync_api

        for cls in (sync_api.Page, sync_api.Frame, sync_api.Locator, sync_api.ElementHandle):
            for name in ACTIONS:
                if hasattr(cls, name):
                    monkeypatch.setattr(cls, name, self._audited_first(getattr(cls, name)))
        for cls in (sync_api.Keyboard, sync_api.Mouse):
            for name in KEY_AND_MOUSE_ACTIONS:
                if hasattr(cls, name):
                    monkeypatch.setattr(cls, name, self._audited_first(getattr(cls, name)))

    def audit_new_documents(self):
        while self._unaudited:
            page = self._unaudited.pop()
            if not page.is_closed():
                self.audit(page)

    def audit(self, page):
        """Run axe on the page's document once it has loaded, unless it is not the portal's or was audited."""
        try:
            page.wait_for_load_state("load")
            url = page.url
            if not url.startswith(self.base_url + "/") or urlsplit(url).path == API_DOCS:
                return
            if not page.evaluate(AXE_CLAIM):
                return
            page.evaluate(AXE_SCRIPT)
            found = page.evaluate(AXE_RUN, AXE_OPTIONS)
        except Exception as error:
            self.audit_errors.append(f"{page.url}: {error}")
            return
        self.audited.append(url)
        self.violations += [(url, violation) for violation in found if violation["impact"] in BLOCKING_IMPACTS]

    def _audited_first(self, action):
        @functools.wraps(action)
        def audited_first(*args, **kwargs):
            self.audit_new_documents()
            return action(*args, **kwargs)

        return audited_first

    def accessibility_problems(self):
        """Audit the documents still shown; then one entry for each serious or critical violation found so far."""
        self.audit_new_documents()
        problems = [self._describe(url, violation) for url, violation in self.violations]
        return problems + [f"axe could not run on {error}" for error in self.audit_errors]

    def network_problems(self):
        """Record each page's weight for the summary; one entry for each page over budget or outside request."""
        problems = []
        for view in (view for views in self.views.values() for view in views):
            outside = [request.url for request in view.requests if not self._is_local(request.url)]
            problems += [f"{view.url} fetched {url} from outside the portal" for url in outside]
            size = sum(self._transfer(request) for request in view.requests)
            name = page_name(view.url)
            PAGE_WEIGHTS[name] = max(PAGE_WEIGHTS.get(name, (0, 0)), (len(view.requests), size), key=lambda w: w[1])
            budget = weight_budget_kb(name)
            if size > budget * 1024:
                problems.append(f"{view.url} weighs {size / 1024:.0f} KB, over its {budget} KB budget")
        return problems

    def finish(self):
        problems = self.accessibility_problems() + self.network_problems()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)

    def _navigated(self, page, frame):
        if frame.parent_frame is None:
            self._unaudited.add(page)

    def _record(self, page, request):
        views = self.views[page]
        if request.is_navigation_request() and request.frame.parent_frame is None:
            if request.redirected_from is not None and views:
                # A redirect after a form post: the post and the page it leads to are one page view.
                views[-1].url = request.url
            else:
                views.append(PageView(request.url))
        if views:
            views[-1].requests.append(request)

    def _is_local(self, url):
        scheme = urlsplit(url).scheme
        return scheme not in ("http", "https", "ws", "wss") or url.startswith(self.base_url + "/")

    @staticmethod
    def _transfer(request):
        """Bytes received for a request: response headers and body as they came over the wire."""
        try:
            sizes = request.sizes()
        except Exception:
            return 0
        return sizes["responseHeadersSize"] + sizes["responseBodySize"]

    @staticmethod
    def _describe(url, violation):
        targets = "\n    ".join(violation["targets"])
        return f"axe {violation['id']} ({violation['impact']}) on {url}: {violation['help']}\n    {targets}"


@pytest.fixture
def chromium(live_server, monkeypatch, settings):
    """One headless Debian Chromium for the test."""
    # Links in emails are built from SITE_URL: here the portal's address is the live server's.
    settings.SITE_URL = live_server.url
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            # While the loop runs, Django keeps this thread's connections apart from the usual ones;
            # close them here, or the test database cannot be dropped at the end of the run.
            connections.close_all()
            browser.close()


@pytest.fixture
def browser_checks(live_server, monkeypatch):
    checks = BrowserChecks(live_server.url)
    checks.audit_before_actions(monkeypatch)
    return checks


@pytest.fixture
def new_browser_page(chromium, browser_checks):
    """Opens a page in a new browser context (keyword arguments as for Browser.new_context), checked like
    every page of a browser test."""

    def open_page(**context_options):
        page = chromium.new_context(**context_options).new_page()
        page.set_default_timeout(15000)
        return browser_checks.watch(page, audit=context_options.get("java_script_enabled", True))

    return open_page


@pytest.fixture
def browser_page(new_browser_page):
    """A headless Debian Chromium page; a screenshot is kept in test-artifacts/ when the test fails."""
    return new_browser_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test that passed is then held to the checks of its pages (BrowserChecks.finish)."""
    result = yield
    checks = item.funcargs.get("browser_checks")
    if checks is not None:
        checks.finish()
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of each page it had open in test-artifacts/."""
    outcome = yield
    report = outcome.get_result()
    checks = item.funcargs.get("browser_checks")
    if report.when != "call" or not report.failed or checks is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    pages = [page for page in checks.views if not page.is_closed()]
    for number, page in enumerate(pages, start=1):
        name = item.name if len(pages) == 1 else f"{item.name}-page{number}"
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=5000)
        except Exception as error:  # a page that cannot be drawn must not hide the test's own failure
            report.sections.append(("screenshot", f"no screenshot of {page.url}: {error}"))


def pytest_terminal_summary(terminalreporter):
    """The weight of each page the browser tests opened (its heaviest visit), against its budget."""
    if not PAGE_WEIGHTS:
        return
    own_pages = [name for name in PAGE_WEIGHTS if name != API_DOCS] or list(PAGE_WEIGHTS)
    heaviest = max(own_pages, key=lambda name: PAGE_WEIGHTS[name][1])
    terminalreporter.write_sep("-", "page weight: requests and kilobytes transferred, document and subresources")
    width = max(len(name) for name in PAGE_WEIGHTS)
    terminalreporter.write_line(f"{'page':<{width}}  requests        KB    budget")
    for name, (requests, size) in sorted(PAGE_WEIGHTS.items()):
        mark = "  <- heaviest" if name == heaviest else ""
        line = f"{name:<{width}}  {requests:>8}  {size / 1024:>8.1f}  {weight_budget_kb(name):>8}{mark}"
        terminalreporter.write_line(line)


@pytest.fixture
def world(transactional_db):
    """Every role's screens: the permission matrix's world with an open call and a draft (see screens.py)."""
    return build_screens_world()
