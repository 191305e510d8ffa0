"""Small helpers the tests share: following the links in sent emails."""

import re

from django.core import mail

LINK = re.compile(r"https?://[^\s\"'<>]+")


def links_in(message):
    return LINK.findall(message.body)


def last_email_to(address):
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"no email to {address}; sent to {[m.to for m in mail.outbox]}"
    return sent[-1]


def path_of(url):
    """The path of an absolute link, checked to point at the test server."""
    assert url.startswith("http://testserver/"), url
    return url[len("http://testserver") :]


def sign_in(client, email, password):
    """Sign in through the login page, as a person does (django-axes needs the request)."""
    from django.urls import reverse

    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return response.status_code == 302
