"""Small helpers the tests share: following the links in sent emails, reading downloads, waiting for other processes."""

import csv
import io
import re
import socket
import time

from django.core import mail
from django.http import StreamingHttpResponse

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


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout=15, interval=0.05):
    """Poll `condition` until it is true or `timeout` seconds pass; returns whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def csv_text(response):
    """A CSV download's text, checked to be streamed and to start with the byte-order mark spreadsheets need."""
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "no byte-order mark: Excel on Windows would garble Chinese and Russian text"
    return body[1:]


def csv_rows(response):
    """A CSV download's rows, header first (see csv_text)."""
    return list(csv.reader(io.StringIO(csv_text(response))))
