"""The portal with the keyboard alone: "Skip to content" comes first and leads into the page, whatever has the
focus is visibly ringed, Tab reaches every control of every form on every screen of each role, and the join form,
the sign-in form and the proposal editor are filled in and sent with Tab, Shift+Tab, typing, Space, Enter and the
arrow keys. Elements are located only to ask whether they have the
focus; nothing is clicked."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from partners.models import Registration
from proposals.models import Proposal
from tests.factories import PASSWORD, CallFactory, MembershipFactory, ProposalFactory, UserFactory

from .screens import page_as, screens_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a page says of the element with the focus: enough to name it in a failure, and how its ring is drawn.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    element: element.outerHTML.slice(0, 120),
    isBody: element === document.body,
    isSkipLink: element.matches("a.skip"),
    inMain: element.closest("main") !== null,
    outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
    boxShadow: style.boxShadow,
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, target, *, key="Tab", limit=120):
    """Press Tab (or Shift+Tab) until `target` has the focus, as someone reading the page in order does."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


def choose_with_arrows(page, select, label):
    """Move through a focused <select> with the down arrow until `label` is chosen."""
    for _ in range(len(select.locator("option").all())):
        if select.evaluate("select => select.selectedOptions[0].label") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} is not an option of {select}")


def sign_in_browser(page, base, user):
    """Give the browser a session for `user`; the sign-in form itself is walked in its own test."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


def ring_problems(page, *, limit=300):
    """Tab through the whole page; each element that takes the focus without a visible ring is one problem."""
    problems, seen = [], 0
    page.keyboard.press("Tab")
    first = focused(page)
    state = first
    while seen < limit:
        style, width, colour = state["outline"]
        ringed = (style != "none" and width >= 2 and colour not in ("transparent", "rgba(0, 0, 0, 0)")) or (
            state["boxShadow"] != "none"
        )
        if not state["isBody"] and not ringed:
            problems.append(f"{page.url}: {state['element']} shows no focus ring ({state['outline']})")
        seen += 1
        page.keyboard.press("Tab")
        state = focused(page)
        if state["isSkipLink"] or state["isBody"]:
            break
    assert seen > 3, f"{page.url}: only {seen} elements take the focus"
    return problems


@pytest.fixture
def open_call():
    return CallFactory(title="Chang'e-8 payloads")


def test_the_first_tab_reaches_skip_to_content_and_enter_moves_into_the_page(browser_page, live_server):
    page = browser_page
    for path in ("/", "/join/", "/accounts/login/", "/calls/", "/participation/", "/partners/"):
        page.goto(live_server.url + path)

        page.keyboard.press("Tab")
        state = focused(page)
        assert state["isSkipLink"], f"{path}: {state['element']}"
        skip = page.locator("a.skip")
        expect(skip).to_be_in_viewport()
        box = skip.bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 20, path

        page.keyboard.press("Enter")
        expect(page.locator("main#content")).to_be_focused()
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["inMain"], f"{path}: {state['element']}"


def test_everything_that_takes_the_focus_shows_a_ring(browser_page, live_server, open_call):
    page, base = browser_page, live_server.url
    lead = MembershipFactory(role="admin", user__email="lead@cape.example.org").user
    draft = ProposalFactory(call=open_call, organisation=lead.organisation, principal_investigator=lead)
    admin = UserFactory(email="office@ilrs.example.org", is_programme_admin=True)

    problems = []
    for path in ("/", "/join/", "/accounts/login/", f"/calls/{open_call.pk}/", "/participation/"):
        page.goto(base + path)
        problems += ring_problems(page)
    sign_in_browser(page, base, lead)
    for path in (f"/proposals/{draft.pk}/edit/", f"/proposals/{draft.pk}/"):
        page.goto(base + path)
        problems += ring_problems(page)
    page.context.clear_cookies()
    sign_in_browser(page, base, admin)
    for path in ("/manage/dashboard/", "/manage/exports/", "/manage/registrations/"):
        page.goto(base + path)
        problems += ring_problems(page)

    assert not problems, "\n".join(problems)


def test_an_organisation_applies_with_the_keyboard_alone(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server.url}/join/")
    field = page.locator

    tab_to(page, field("#id_name"))
    page.keyboard.type("Atacama Lunar Lab")
    tab_to(page, field("#id_kind"))
    choose_with_arrows(page, field("#id_kind"), "Research institute")
    tab_to(page, field("#id_country"))
    page.keyboard.type("Chile")
    tab_to(page, field("#id_city"))
    page.keyboard.type("Antofagata")
    # A typing slip is put right by going back to the field.
    tab_to(page, field("#id_website"))
    tab_to(page, field("#id_city"), key="Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Antofagasta")
    tab_to(page, field("#id_website"))
    page.keyboard.type("atacama-lunar.example.org")
    tab_to(page, field("#id_description"))
    page.keyboard.type("Lunar dust simulants and regolith handling.")
    for name, value in (("areas", "payloads"), ("areas", "data_sharing"), ("cooperation_levels", "equipment")):
        tab_to(page, field(f"input[name={name}][value={value}]"))
        page.keyboard.press("Space")
    tab_to(page, field("#id_contact_name"))
    page.keyboard.type("Camila Rojas")
    tab_to(page, field("#id_contact_position"))
    page.keyboard.type("Director")
    tab_to(page, field("#id_contact_email"))
    page.keyboard.type("camila@atacama.example.org")
    tab_to(page, field("#id_accept_terms"))
    page.keyboard.press("Space")
    tab_to(page, field("form.stacked button[type=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/join/sent/")
    registration = Registration.objects.get(contact_email="camila@atacama.example.org")
    assert (registration.name, registration.kind, registration.country.code) == (
        "Atacama Lunar Lab",
        "research_institute",
        "CL",
    )
    assert registration.city == "Antofagasta"
    assert sorted(registration.areas) == ["data_sharing", "payloads"]
    assert registration.cooperation_levels == ["equipment"]


def test_a_partner_signs_in_with_the_keyboard_alone(browser_page, live_server):
    page = browser_page
    user = MembershipFactory(user__email="pi@cape.example.org").user
    page.goto(f"{live_server.url}/accounts/login/")

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Skip to content": the next Tab starts in the page's content
    tab_to(page, page.locator("#id_username"))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # The address keeps the "#content" the skip link added; the form posts to the page it is on.
    page.wait_for_url(f"{live_server.url}/accounts/#content")
    expect(page.locator("h1")).to_contain_text(user.get_short_name())


def test_a_partner_edits_and_saves_a_proposal_with_the_keyboard_alone(browser_page, live_server, open_call):
    page, base = browser_page, live_server.url
    lead = MembershipFactory(user__email="pi@cape.example.org").user
    draft = ProposalFactory(
        call=open_call, organisation=lead.organisation, principal_investigator=lead, cooperation_level="equipment"
    )
    sign_in_browser(page, base, lead)
    page.goto(f"{base}/proposals/{draft.pk}/edit/")

    tab_to(page, page.locator("#id_abstract"))
    page.keyboard.press("Control+a")
    page.keyboard.type("Listens to moonquakes for ten years.")
    tab_to(page, page.locator("#id_cooperation_level"))
    page.keyboard.press("ArrowUp")
    tab_to(page, page.locator("input[name=areas][value=engineering]"))
    page.keyboard.press("Space")
    tab_to(page, page.locator("button[name=save]"))
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    expect(page.locator("main [role=status]")).to_be_visible()
    draft = Proposal.objects.get(pk=draft.pk)
    assert draft.abstract == "Listens to moonquakes for ten years."
    assert draft.cooperation_level == "subsystem"
    assert "engineering" in draft.areas


# Every visible control of every form on the page, numbered; a group of radio buttons counts as one control.
NUMBER_CONTROLS = """() => {
  const controls = [...document.querySelectorAll("form input, form select, form textarea, form button")]
    .filter((control) => control.type !== "hidden" && !control.disabled && control.getClientRects().length > 0);
  const seenGroups = new Set();
  const named = [];
  controls.forEach((control, index) => {
    const group = control.type === "radio" ? `${control.form ? control.form.action : ""} ${control.name}` : null;
    control.dataset.keyboardControl = group && seenGroups.has(group) ? [...seenGroups].indexOf(group) : index;
    if (group && !seenGroups.has(group)) seenGroups.add(group);
    named.push({index: control.dataset.keyboardControl, html: control.outerHTML.slice(0, 100)});
  });
  return named;
}"""
FOCUSED_CONTROL = (
    "() => [document.activeElement.dataset.keyboardControl ?? null, document.activeElement.matches('a.skip')]"
)


def unreachable_controls(page, *, limit=600):
    """The form controls of the page that Tab, pressed from the top until it comes round again, never reaches."""
    controls = {control["index"]: control["html"] for control in page.evaluate(NUMBER_CONTROLS)}
    reached = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        index, back_at_top = page.evaluate(FOCUSED_CONTROL)
        if back_at_top and reached:
            break
        reached.add(index)
    return [f"{page.url}: {html}" for index, html in controls.items() if index not in reached]


@pytest.mark.parametrize("role", ["anonymous", "partner_member", "partner_admin", "reviewer", "programme_admin"])
def test_every_form_control_on_every_screen_is_reached_with_tab(new_browser_page, live_server, world, role):
    page = page_as(new_browser_page, live_server.url, world.users[role], "en")
    problems = []
    for url in screens_of(world, role):
        page.goto(live_server.url + url)
        problems += unreachable_controls(page)
    assert not problems, "\n".join(problems)
