"""The load benchmark's bare view exists only when BENCH_HELLO is switched on."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

from portal import urls


def _reload_urls():
    importlib.reload(urls)
    clear_url_caches()


@pytest.fixture
def bench_hello_on(settings):
    """Routes as with BENCH_HELLO=1; the default routes come back afterwards."""
    settings.BENCH_HELLO = True
    _reload_urls()
    yield
    settings.BENCH_HELLO = False
    _reload_urls()


def test_bench_hello_is_absent_by_default(client, db, settings):
    assert settings.BENCH_HELLO is False
    with pytest.raises(Resolver404):
        resolve("/bench/hello")
    assert client.get("/bench/hello").status_code == 404


def test_bench_hello_answers_without_the_database_when_switched_on(client, bench_hello_on):
    # No `db` fixture: pytest-django refuses any query, so the view is shown to make none.
    response = client.get("/bench/hello")

    assert response.status_code == 200
    assert response.content == b"hello"


def test_bench_hello_is_gone_again_after_switching_off(client, db):
    assert client.get("/bench/hello").status_code == 404
