from django.urls import path

from linli.core import views

app_name = "core"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:notification_id>/read/", views.inbox_read, name="inbox_read"),
    path("language/", views.set_language, name="set_language"),
]
