from django.urls import path

from linli.core import views

app_name = "core"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:notification_id>/read/", views.inbox_read, name="inbox_read"),
    path("inbox/<int:notification_id>/", views.inbox_open, name="inbox_open"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("language/", views.set_language, name="set_language"),
]
