"""Pages of residents' rights and privacy choices (PEOPLE-6/7), under /people/."""

from django.urls import URLPattern, path

from linli.people import views_rights as views

urlpatterns: list[URLPattern] = [
    path("me/", views.me, name="me"),
    path("me/export/", views.me_export, name="me_export"),
    path("me/export.json", views.me_export_json, name="me_export_json"),
    path("me/correction/", views.me_correction, name="me_correction"),
    path("me/optional/", views.me_optional, name="me_optional"),
    path("me/consent/withdraw/", views.me_withdraw, name="me_withdraw"),
    path("me/privacy/", views.me_privacy, name="me_privacy"),
    path("corrections/", views.corrections, name="corrections"),
    path(
        "corrections/<int:correction_id>/<str:action>/",
        views.correction_act,
        name="correction_act",
    ),
    path("family/", views.family, name="family"),
]
