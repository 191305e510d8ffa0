"""The demo's accounts share a published password: `load_demo` refuses unless LOAD_DEMO=1 asks for it."""

import io

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import User


def test_demo_accounts_are_refused_unless_asked_for(db, settings):
    settings.LOAD_DEMO = False
    with pytest.raises(CommandError, match="LOAD_DEMO=1"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()
