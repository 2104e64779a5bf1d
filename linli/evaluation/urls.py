"""Evaluation pages (EVAL-3)."""

from django.urls import path

from linli.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/", views.metric_list, name="metrics"),
    path("scores/", views.scores, name="scores"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
