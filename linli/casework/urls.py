from django.urls import path

from linli.casework import views, views_whistle

app_name = "casework"
urlpatterns = [
    path("new/", views.report, name="report"),
    path("window/", views.staff_report, name="staff_report"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("queue/dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("public/", views.public_list, name="public"),
    path("whistles/", views_whistle.board, name="whistles"),
    path("whistles/<int:call_id>/report/", views_whistle.report_in, name="whistle_report"),
    path("<str:tracking_no>/", views.detail, name="detail"),
    path("<str:tracking_no>/whistle/", views_whistle.blow, name="whistle"),
    path("<str:tracking_no>/receipt/", views.receipt, name="receipt"),
    path("<str:tracking_no>/photos/<int:photo_id>/<str:size>/", views.photo, name="photo"),
    path("<str:tracking_no>/<str:action>/", views.act, name="act"),
]
