"""Care pages (CARE-5..7)."""

from django.urls import path

from linli.care import views, views_board, views_drill, views_family, views_services

app_name = "care"
urlpatterns = [
    path("", views.worker, name="worker"),
    path("alerts/", views_drill.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/ack/", views.alert_ack, name="ack"),
    path("alerts/<int:alert_id>/close/", views.alert_finish, name="close"),
    path("family/", views_family.family, name="family"),
    path("away/<int:household_id>/", views_family.away, name="away"),
    path("away/<int:away_id>/end/", views_family.away_stop, name="away_end"),
    path("board/", views_board.board, name="board"),
    path("devices/new/", views_board.device_new, name="device_new"),
    path("services/new/", views_services.service_new, name="service_new"),
]
