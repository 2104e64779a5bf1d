"""Evaluation pages (EVAL-3)."""

from django.urls import path

from linli.evaluation import views, views_projects, views_report, views_surveys

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/", views.metric_list, name="metrics"),
    path("scores/", views.scores, name="scores"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("staff/", views.staff_assessment, name="staff"),
    path("reports/", views_report.reports, name="report"),
    path("reports/<int:report_id>.pdf", views_report.report_file, name="report_file"),
    path("surveys/", views_surveys.survey_list, name="surveys"),
    path("surveys/new/<int:community_id>/", views_surveys.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views_surveys.survey_page, name="survey"),
    path("board/<int:community_id>/", views_surveys.board, name="board"),
    path("projects/", views_projects.project_list, name="projects"),
    path("projects/<int:project_id>/", views_projects.project_page, name="project"),
    path(
        "projects/evaluations/<int:evaluation_id>/",
        views_projects.evaluation_page,
        name="project_evaluation",
    ),
    path(
        "projects/evidence/<int:evidence_id>/",
        views_projects.evidence_file,
        name="project_evidence",
    ),
]
