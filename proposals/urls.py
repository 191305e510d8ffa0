from django.urls import path, re_path

from proposals.review import matching_views
from proposals.review import views as review_views

from . import views

app_name = "proposals"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/propose/", views.proposal_start, name="proposal_start"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/versions/", views.proposal_versions, name="proposal_versions"),
    path("proposals/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("team-invitations/<str:token>/", views.team_invitation, name="team_invitation"),
    path("manage/calls/", views.manage_calls, name="manage_calls"),
    path("manage/calls/new/", views.call_create, name="call_create"),
    path("manage/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    re_path(r"^manage/calls/(?P<pk>[0-9]+)/(?P<action>open|close)/$", views.call_transition, name="call_transition"),
    path("manage/calls/<int:pk>/submissions/", views.call_submissions, name="call_submissions"),
    path("manage/proposals/<int:pk>/shortlist/", views.proposal_shortlist, name="proposal_shortlist"),
    path("manage/proposals/<int:pk>/compliance/", views.proposal_compliance, name="proposal_compliance"),
    path("reviews/", review_views.review_list, name="review_list"),
    path("reviews/profile/", review_views.reviewer_profile, name="reviewer_profile"),
    path("reviews/<int:pk>/", review_views.review_edit, name="review_edit"),
    path(
        "reviews/<int:pk>/attachments/<int:attachment_pk>/",
        review_views.review_attachment,
        name="review_attachment",
    ),
    path("reviews/<int:pk>/respond/", review_views.assignment_respond, name="assignment_respond"),
    path("reviews/<int:pk>/decline/", review_views.assignment_decline, name="assignment_decline"),
    path("manage/reviewers/", review_views.reviewer_list, name="reviewer_list"),
    path("manage/calls/<int:pk>/review/", review_views.call_review, name="call_review"),
    path("manage/calls/<int:pk>/conflicts/", review_views.call_conflicts, name="call_conflicts"),
    path("manage/calls/<int:pk>/ranking/", review_views.call_ranking, name="call_ranking"),
    path("reviews/profile/publications/", matching_views.reviewer_publications, name="reviewer_publications"),
    path("reviews/bids/", matching_views.bidding_calls, name="bidding_calls"),
    path("reviews/calls/<int:pk>/bids/", matching_views.call_bids, name="call_bids"),
    path("manage/calls/<int:pk>/bidding-deadline/", matching_views.call_bidding_deadline, name="call_bidding_deadline"),
    path(
        "manage/calls/<int:pk>/assignments.csv",
        matching_views.call_assignments_export,
        name="call_assignments_export",
    ),
    path("manage/calls/<int:pk>/release/", review_views.release_confirm, name="release_confirm"),
]
