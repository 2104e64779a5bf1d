"""Evaluation pages (EVAL-3)."""

from django.urls import path

from linli.evaluation import views, views_surveys

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/", views.metric_list, name="metrics"),
    path("scores/", views.scores, name="scores"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("surveys/", views_surveys.survey_list, name="surveys"),
    path("surveys/new/<int:community_id>/", views_surveys.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views_surveys.survey_page, name="survey"),
    path("board/<int:community_id>/", views_surveys.board, name="board"),
]
