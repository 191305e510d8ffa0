"""Two web nodes that share nothing but PostgreSQL, Redis and the object store, and a worker: one portal.

Node A and node B are gunicorn processes with production settings, each with a private MEDIA_ROOT (which must
stay empty); a Celery worker runs beside them; moto's S3 server is the object store. Everything is checked
over HTTP, as a browser behind a load balancer would meet it: the session cookie one node sets is the one the
other receives.
"""

import io
import os
import re
from datetime import timedelta

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners.models import Membership
from portal.dashboard.models import ExportJob
from portal.settings.storage import storage_from_url
from proposals import services
from proposals.models import Attachment, Call, ReviewAssignment
from tests.factories import (
    PASSWORD,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    UserFactory,
)
from tests.helpers import wait_for
from tests.processes import start_celery_worker, start_portal_server, wait_until_answering
from tests.proposals.support import AUTHOR, PDF, team_pdf

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RESETS_PER_HOUR = 2


def _database_url():
    database = connection.settings_dict
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.fixture(scope="module")
def cluster(django_db_setup, object_store, tmp_path_factory):
    """Nodes A and B and a worker against the test database, Redis and a fresh bucket; all stopped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the nodes share the test database, which must be PostgreSQL")
    directory = tmp_path_factory.mktemp("nodes")
    bucket = object_store.new_bucket()
    common = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "STORAGE_"))},
        "DJANGO_SETTINGS_MODULE": "tests.storage.node_settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "SECRET_KEY": "two-nodes-one-portal-a-long-random-looking-secret-key-for-the-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CELERY_BROKER_URL": settings.TEST_REDIS_URL,
        "STORAGE_URL": object_store.url(bucket),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "RATELIMIT_PASSWORD_RESET": f"{RESETS_PER_HOUR}/h",
        "LOG_LEVEL": "WARNING",
    }
    processes = {}

    def environment(name):
        media = directory / f"media-{name}"
        media.mkdir()
        return {**common, "MEDIA_ROOT": str(media)}, media

    try:
        env_a, media_a = environment("a")
        env_b, media_b = environment("b")
        env_worker, media_worker = environment("worker")
        processes["a"] = start_portal_server(env_a, log=directory / "node-a.log")
        processes["b"] = start_portal_server(env_b, log=directory / "node-b.log")
        processes["worker"] = start_celery_worker(env_worker, name="storage", log=directory / "worker.log")
        wait_until_answering(processes["a"], processes["b"])
        yield {
            "a": processes["a"].base_url,
            "b": processes["b"].base_url,
            "worker": processes["worker"],
            "bucket": bucket,
            "storage_url": common["STORAGE_URL"],
            "media": [media_a, media_b, media_worker],
        }
    finally:
        if "worker" in processes:
            processes["worker"].kill()
        for name in ("a", "b"):
            if name in processes:
                processes[name].stop()


@pytest.fixture
def nodes(cluster, settings):
    """The cluster, with this process writing to the same bucket (for the rows the test makes itself)."""
    import environ

    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(cluster["storage_url"], env=environ.Env())}
    redis.Redis.from_url(settings.TEST_REDIS_URL).flushdb()  # rate counters and cached sessions of earlier tests
    yield cluster
    for media in cluster["media"]:
        assert list(media.rglob("*")) == [], f"{media.name} kept files on its own disk"


class Browser:
    """One person's browser: a single cookie jar, whichever node answers."""

    def __init__(self):
        self.session = requests.Session()

    def get(self, node, path):
        return self.session.get(node + path, allow_redirects=False, timeout=20)

    def post(self, node, path, data=None, files=None):
        data = {**(data or {}), "csrfmiddlewaretoken": self._csrf(node, path)}
        headers = {"Referer": node + path}
        return self.session.post(
            node + path, data=data, files=files, headers=headers, allow_redirects=False, timeout=20
        )

    def _csrf(self, node, path):
        if "csrftoken" not in self.session.cookies:
            self.get(node, reverse("accounts:login"))
        return self.session.cookies["csrftoken"]

    def sign_in(self, node, user):
        response = self.post(node, reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
        assert response.status_code == 302, f"sign-in refused: {response.status_code}"
        return self


def _signed_in(browser, node):
    response = browser.get(node, reverse("accounts:home"))
    return response.status_code == 200


@pytest.fixture
def team(db):
    organisation = OrganisationFactory(name="Mare Crisium Institute")
    pi = MembershipFactory(organisation=organisation, user__email="pi@crisium.example.org").user
    call = CallFactory(anonymity=Call.Anonymity.DUAL)
    proposal = ProposalFactory(call=call, organisation=organisation, principal_investigator=pi)
    return proposal


def _upload(browser, node, proposal, content=PDF):
    path = reverse("proposals:attachment_upload", args=[proposal.pk])
    files = {"file": ("Payload design.pdf", content, "application/pdf")}
    response = browser.post(node, path, {"kind": "technical"}, files=files)
    assert response.status_code == 302
    return Attachment.objects.get(proposal=proposal)


def test_a_pdf_uploaded_through_node_a_is_downloaded_through_node_b_by_its_team_and_by_no_one_else(
    nodes, object_store, team
):
    pi = Browser().sign_in(nodes["a"], team.principal_investigator)
    attachment = _upload(pi, nodes["a"], team)

    assert object_store.read(nodes["bucket"], attachment.file.name) == PDF, "in the shared store, not on node A"
    download = reverse("proposals:attachment_download", args=[attachment.pk])
    response = pi.get(nodes["b"], download)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content == PDF, "byte for byte"

    outsider = MembershipFactory(organisation=OrganisationFactory(), role=Membership.Role.ADMIN).user
    other = Browser().sign_in(nodes["b"], outsider)
    assert other.get(nodes["a"], download).status_code == 404
    assert other.get(nodes["b"], download).status_code == 404


def test_a_reviewer_of_a_dual_anonymous_call_gets_the_same_cleaned_copy_through_either_node(nodes, team, object_store):
    pi = Browser().sign_in(nodes["a"], team.principal_investigator)
    original = team_pdf()
    attachment = _upload(pi, nodes["a"], team, original)
    services.submit_proposal(proposal=team, by=team.principal_investigator)
    now = timezone.now()
    Call.objects.filter(pk=team.call_id).update(
        status=Call.Status.UNDER_REVIEW, deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=14)
    )
    reviewer = ReviewerProfileFactory(user__email="reviewer@crisium-review.example.org").user
    assignment = ReviewAssignmentFactory(proposal=team, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)

    browser = Browser().sign_in(nodes["b"], reviewer)
    path = reverse("proposals:review_attachment", args=[assignment.pk, attachment.pk])
    through_a, through_b = browser.get(nodes["a"], path), browser.get(nodes["b"], path)

    assert (through_a.status_code, through_b.status_code) == (200, 200)
    assert through_a.headers["Content-Type"] == through_b.headers["Content-Type"] == "application/pdf"
    assert through_a.content.startswith(b"%PDF") and through_a.content.rstrip().endswith(b"%%EOF")
    assert through_a.content == through_b.content, "the same file through both nodes"
    assert "Payload" not in through_a.headers["Content-Disposition"], "the file name does not name the team's file"
    assert AUTHOR.encode() in original and AUTHOR.encode() not in through_a.content, "the copy names nobody"
    attachment.refresh_from_db()
    assert object_store.read(nodes["bucket"], attachment.reviewer_copy.name) == through_a.content, "one shared copy"


def test_an_excel_export_started_on_node_a_is_written_by_the_worker_and_downloaded_from_node_b(nodes, object_store):
    OrganisationFactory(name="Tycho Crater Observatory")
    admin = UserFactory(email="admin@ilrs-programme.example.org", is_programme_admin=True)
    browser = Browser().sign_in(nodes["a"], admin)

    response = browser.post(
        nodes["a"], reverse("dashboard:export_request"), {"kind": "partners", "file_format": "xlsx"}
    )
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)/", response.headers["Location"]).group(1))
    job = ExportJob.objects.get(pk=job_id)

    finished = wait_for(lambda: ExportJob.objects.get(pk=job_id).status == ExportJob.Status.DONE, timeout=30)
    assert finished, f"the worker did not write the export:\n{nodes['worker'].output()}"
    job.refresh_from_db()
    assert job.file.name in object_store.keys(nodes["bucket"])

    download = browser.get(nodes["b"], reverse("dashboard:export_download", args=[job_id]))
    assert download.status_code == 200
    assert download.content == object_store.read(nodes["bucket"], job.file.name)
    sheet = load_workbook(io.BytesIO(download.content), read_only=True).active
    cells = {cell for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row}
    assert "Tycho Crater Observatory" in cells

    someone_else = Browser().sign_in(nodes["b"], UserFactory(is_programme_admin=True))
    assert someone_else.get(nodes["b"], reverse("dashboard:export_download", args=[job_id])).status_code == 404


def test_signing_in_on_node_a_keeps_the_person_signed_in_on_node_b_and_signing_out_on_b_ends_it_on_a(nodes, team):
    browser = Browser()
    assert not _signed_in(browser, nodes["b"])

    browser.sign_in(nodes["a"], team.principal_investigator)
    assert _signed_in(browser, nodes["b"])
    assert _signed_in(browser, nodes["a"]), "read from the shared cache on A as well"

    ended = browser.session.cookies["sessionid"]
    assert browser.post(nodes["b"], reverse("accounts:logout")).status_code == 302
    assert not _signed_in(browser, nodes["a"])
    replayed = Browser()
    replayed.session.cookies.set("sessionid", ended)
    assert not _signed_in(replayed, nodes["a"]), "a session ended on node B cannot be used on node A"


def test_a_rate_limit_counted_on_node_a_holds_on_node_b(nodes):
    browser = Browser()
    path = reverse("accounts:password_reset")
    for _ in range(RESETS_PER_HOUR):
        response = browser.post(nodes["a"], path, {"email": "someone@example.org"})
        assert response.status_code == 302

    assert browser.post(nodes["b"], path, {"email": "someone@example.org"}).status_code == 429
    assert browser.post(nodes["a"], path, {"email": "someone@example.org"}).status_code == 429
