"""Matching pages (MATCH-1..5)."""

from django.urls import path

from linli.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:need_id>/do/<slug:action>/", views.need_act, name="need_act"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("resources/close/", views.resource_close, name="resource_close"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:match_id>/<slug:action>/", views.answer, name="answer"),
    path("staff/", views.staff, name="staff"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<int:run_id>/", views.run_page, name="run"),
    path("runs/<int:run_id>/<slug:action>/", views.run_act, name="run_act"),
    path("resources/<int:resource_id>/review/", views.resource_review, name="resource_review"),
    path("bookings/", views.booking_page, name="bookings"),
    path("bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/<int:booking_id>/<slug:action>/", views.booking_act, name="booking_act"),
    path("idle/", views.idle_page, name="idle"),
    path("partners/", views.partner_page, name="partners"),
    path("partners/new/", views.partner_new, name="partner_new"),
    path("partners/contributions/new/", views.contribution_new, name="contribution_new"),
]
