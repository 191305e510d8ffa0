from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("verify/", views.verify, name="verify"),
    path("authenticator/", views.authenticator, name="authenticator"),
    path("authenticator/remove/", views.remove_authenticator, name="remove_authenticator"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("passkeys/<int:pk>/remove/", views.remove_passkey, name="remove_passkey"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
    path("sessions/end-all/", views.end_everywhere, name="end_everywhere"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("my-data/", views.own_data, name="own_data"),
    path("close-account/", views.request_closure, name="request_closure"),
    path("closure-requests/", views.closure_requests, name="closure_requests"),
    path("closure-requests/<int:pk>/complete/", views.complete_closure, name="complete_closure"),
]
