"""Pages of this part of the people app (see views_rights.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
