from django.urls import path, re_path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("participation/", views.participation, name="participation"),
    path("manage/dashboard/", views.dashboard, name="dashboard"),
    re_path(
        r"^manage/dashboard/(?P<section>[a-z_]+)/(?P<key>[a-z_]+)\.(?P<file_format>csv|xlsx)$",
        views.figure_export,
        name="figure_export",
    ),
    path("manage/exports/", views.export_list, name="export_list"),
    re_path(r"^manage/exports/(?P<kind>[a-z_]+)\.csv$", views.export_stream, name="export_stream"),
    path("manage/exports/jobs/", views.export_request, name="export_request"),
    path("manage/exports/jobs/<int:pk>/", views.export_job, name="export_job"),
    path("manage/exports/jobs/<int:pk>/download/", views.export_download, name="export_download"),
    path("manage/audit/", views.audit_log, name="audit_log"),
]
