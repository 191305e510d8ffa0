"""Access the permission matrix cannot show with its two objects per role: a reviewer who declined."""

from django.urls import reverse

from proposals.models import Review, ReviewAssignment
from proposals.review import services as review_services

from .world import build_world


def test_a_reviewer_who_declined_no_longer_reads_the_proposal_anywhere(db, client):
    world = build_world()
    assignment = world.assignment_a
    Review.objects.filter(assignment=assignment).delete()
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=ReviewAssignment.Status.PENDING)
    review_services.respond_to_assignment(assignment=assignment, by=world.reviewer, accept=False, reason="Busy.")
    client.force_login(world.reviewer)

    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 404
    attachment = reverse("proposals:review_attachment", args=[assignment.pk, world.a.attachment.pk])
    assert client.get(attachment).status_code == 404
    assert client.get(reverse("api:assignment-detail", args=[assignment.pk])).status_code == 404
    listed = client.get(reverse("api:assignment-list")).json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(assignment.pk, "declined")]
    assert "content" not in str(listed)
