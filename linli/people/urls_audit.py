"""Pages of the data-access audit (see views_audit.py)."""

from django.urls import URLPattern, path

from linli.people import views_audit

urlpatterns: list[URLPattern] = [
    path("audit/", views_audit.audit_overview, name="audit"),
    path("audit/user/<int:user_id>/", views_audit.audit_user, name="audit_user"),
]
