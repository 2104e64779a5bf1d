"""Station pages (SERVE-1..3)."""

from django.urls import path

from linli.station import views

app_name = "station"
urlpatterns = [
    path("", views.index, name="index"),
    path("guide/<slug:code>/", views.guide, name="guide"),
    path("apply/<slug:code>/", views.apply_page, name="apply"),
    path("bundle/<slug:bundle>/", views.apply_page, name="bundle"),
    path("window/", views.window, name="window"),
    path("queue/", views.queue, name="queue"),
    path("a/<int:application_id>/", views.application_page, name="application"),
    path("a/<int:application_id>/do/<slug:action>/", views.act, name="act"),
    path("classes/", views.classes, name="classes"),
    path("classes/<int:session_id>/enrol/", views.class_enrol, name="class_enrol"),
    path("classes/<int:session_id>/attendance/", views.class_attendance, name="class_attendance"),
    path("receipt/<int:receipt_id>/", views.receipt, name="receipt"),
]
