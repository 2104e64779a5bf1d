from django.urls import include, path

from linli.people import views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:grant_id>/<str:action>/", views.grant_act, name="grant_act"),
    path("<int:resident_id>/", views.resident_detail, name="detail"),
    path("<int:resident_id>/grant/", views.grant_new, name="grant_new"),
    # Fixed prefixes; each part keeps its own url list.
    path("", include("linli.people.urls_import")),
    path("", include("linli.people.urls_audit")),
    path("", include("linli.people.urls_rights")),
]
