"""The grid worker's day: pages (installable, offline) and the supervisor's views."""

from django.urls import path

from linli.fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("report/", views.report, name="report"),
    path("outbox/", views.outbox, name="outbox"),
    path("tracks/", views.track_settings, name="tracks"),
    path("coverage/", views.coverage, name="coverage"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
