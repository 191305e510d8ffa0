"""What the browser journeys share: text in a given language, the page's language, signing in, emailed links.

Selectors never depend on the language: they use ids, names, values and addresses. Expected text is looked up in
the catalogues with the msgid the template or view uses, so a journey runs unchanged in every language.
"""

from django.utils import translation
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.helpers import last_email_to, links_in

# The editor's fields the submission check asks for, filled in as a team would (a 12.5 kg payload is over the
# factory lander's 10 kg limit; the journeys set `mass_kg` themselves).
DRAFT_FIELDS = {
    "average_power_w": "20",
    "peak_power_w": "30",
    "length_mm": "200",
    "width_mm": "100",
    "height_mm": "100",
    "data_mb_per_day": "50",
    "min_operating_temp_c": "-150",
    "max_operating_temp_c": "60",
    "trl_now": "6",
    "trl_delivery": "8",
    "science_objectives": "Interior structure of the Moon.",
    "schedule": "Delivery in 2027.",
}

# Msgids that are only punctuation around values: a language may keep them exactly as they are.
FORMATS = {"%(ref)s: %(outcome)s"}


def text(lang, msgid, **values):
    """`msgid` as the catalogue for `lang` has it, with `values` filled in; outside English it must be translated."""
    with translation.override(lang):
        translated = translation.gettext(msgid)
    assert lang == "en" or translated != msgid or msgid in FORMATS, f"{msgid!r} has no {lang} translation"
    return translated % values if values else translated


def label(lang, choice):
    """The display label of a `TextChoices` member in `lang`."""
    with translation.override(lang):
        return str(choice.label)


def expect_language(page, lang):
    expect(page.locator("html")).to_have_attribute("lang", lang)


def expect_portal_home(page, lang, user):
    """The signed-in person's starting page, in `lang`."""
    expect_language(page, lang)
    expect(page.locator("h1")).to_have_text(text(lang, "Welcome, %(name)s", name=user.get_short_name()))


def expect_message(page, message):
    """The page shows `message` among its status messages (the ones a view adds after a post)."""
    expect(page.locator("main [role=status]")).to_contain_text(message)


def choose_language(page, lang):
    """An anonymous visitor picks the language with the switcher in the footer."""
    page.select_option("#language-select", lang)
    page.click("form:has(#language-select) button[type=submit]")
    expect_language(page, lang)


def sign_in(page, base, email, password=PASSWORD, *, then="/accounts/"):
    """Sign in from the sign-in page as someone new to this browser (its cookies cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={then}")
    submit_sign_in(page, email, password)
    page.wait_for_url(f"{base}{then}")


def submit_sign_in(page, email, password):
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("form:has(#id_password) button[type=submit]")


def email_to(address, *, subject):
    """The newest email to `address`, checked to carry `subject` (which says which language it is in)."""
    message = last_email_to(address)
    assert message.subject == subject, f"{message.subject!r} is not {subject!r}"
    return message


def emailed_link(message, fragment, *, base):
    """The link in `message` containing `fragment`, checked to point at the portal being used."""
    [link] = [url for url in links_in(message) if fragment in url]
    assert link.startswith(base + "/"), f"{link} does not point at the portal being used ({base})"
    return link
