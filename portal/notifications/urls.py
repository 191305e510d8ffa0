from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("manage/outbox/", views.outbox, name="outbox"),
]
