"""Mediation pages (MEDIATE-1..2)."""

from django.urls import path

from linli.mediation import views, views_drill

app_name = "mediation"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.dispute_new, name="new"),
    path("rates/", views.rates, name="rates"),
    path("behind/", views_drill.dispute_drill, name="drill"),
    path("<int:dispute_id>/", views.dispute_page, name="dispute"),
    path("<int:dispute_id>/do/<slug:action>/", views.act, name="act"),
    path("<int:dispute_id>/agreement.pdf", views.agreement_file, name="agreement_pdf"),
]
