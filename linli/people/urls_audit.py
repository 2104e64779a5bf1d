"""Pages of this part of the people app (see views_audit.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
