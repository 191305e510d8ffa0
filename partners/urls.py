from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.directory, name="directory"),
    path("join/", views.join, name="join"),
    path("join/sent/", views.join_done, name="join_done"),
    path("join/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("join/edit/<str:token>/", views.registration_edit, name="registration_edit"),
    path("organisation/", views.my_organisation, name="my_organisation"),
    path("organisations/<int:pk>/invite/", views.invite, name="invite"),
    path("invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("members/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path("members/<int:pk>/make-admin/", views.transfer_admin, name="transfer_admin"),
    path("manage/registrations/", views.registration_queue, name="registration_queue"),
    path("manage/registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("manage/organisations/", views.organisation_list, name="organisation_list"),
    path("manage/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
