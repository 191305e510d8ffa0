"""Only programme administrators reach the dashboard, the exports and the audit log; to anyone else they do
not exist (404), and an export file is for the administrator who asked for it alone."""

import pytest
from django.urls import reverse

from portal.dashboard import services
from portal.dashboard.models import ExportJob
from tests.factories import UserFactory

ADMIN_PAGES = [
    ("dashboard:dashboard", []),
    ("dashboard:figure_export", ["partners", "partners_by_country", "csv"]),
    ("dashboard:figure_export", ["review", "reviewer_load", "xlsx"]),
    ("dashboard:export_list", []),
    ("dashboard:export_stream", ["people"]),
    ("dashboard:export_stream", ["reviews"]),
    ("dashboard:audit_log", []),
]


@pytest.fixture
def outsiders(partner_member, partner_admin, reviewer):
    return {"partner member": partner_member, "partner admin": partner_admin, "reviewer": reviewer}


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_admin_pages_are_missing_for_everyone_but_programme_administrators(client, outsiders, name, args):
    url = reverse(name, args=args)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous["Location"]
    for role, user in outsiders.items():
        client.force_login(user)
        assert client.get(url).status_code == 404, role


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_programme_administrators_reach_every_admin_page(client, programme_admin, name, args):
    client.force_login(programme_admin)

    assert client.get(reverse(name, args=args)).status_code == 200


def test_only_administrators_can_ask_for_an_export_file(client, outsiders):
    for role, user in outsiders.items():
        client.force_login(user)
        response = client.post(reverse("dashboard:export_request"), {"kind": "people", "file_format": "csv"})
        assert response.status_code == 404, role
    assert not ExportJob.objects.exists()


def test_an_export_file_is_only_for_the_administrator_who_asked(
    client, programme_admin, partner_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(kind="people", file_format="csv", by=programme_admin)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    other_admin = UserFactory(is_programme_admin=True)
    pages = [reverse("dashboard:export_job", args=[job.pk]), reverse("dashboard:export_download", args=[job.pk])]

    for user in (other_admin, partner_member):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404
    client.force_login(programme_admin)
    assert all(client.get(url).status_code == 200 for url in pages)


def test_an_administrator_who_lost_the_role_cannot_fetch_their_old_file(
    client, programme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(kind="partners", file_format="csv", by=programme_admin)
    programme_admin.is_programme_admin = False
    programme_admin.save()
    client.force_login(programme_admin)

    assert client.get(reverse("dashboard:export_download", args=[job.pk])).status_code == 404


def test_the_public_participation_page_needs_no_sign_in(client, db):
    response = client.get(reverse("dashboard:participation"))

    assert response.status_code == 200
    assert "Participation in the ILRS" in response.content.decode()


def test_navigation_shows_admin_links_to_administrators_only(client, programme_admin, partner_admin):
    dashboard = reverse("dashboard:dashboard")
    participation = reverse("dashboard:participation")

    assert participation in client.get(reverse("home")).content.decode()
    client.force_login(partner_admin)
    page = client.get(reverse("home")).content.decode()
    assert participation in page and dashboard not in page
    client.force_login(programme_admin)
    page = client.get(reverse("home")).content.decode()
    assert all(
        reverse(name) in page for name in ("dashboard:dashboard", "dashboard:export_list", "dashboard:audit_log")
    )
