"""Pages of the import part of the people app (see views_import.py)."""

from django.urls import URLPattern, path

from linli.people import views_import

urlpatterns: list[URLPattern] = [
    path("import/", views_import.import_page, name="import"),
    path("import/template.xlsx", views_import.import_template_download, name="import_template"),
]
