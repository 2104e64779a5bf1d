"""Deliberation pages (VOTE-1..6, MATCH-6)."""

from django.urls import path

from linli.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("new/", views.vote_new, name="new"),
    path("bodies/new/", views.body_new, name="body_new"),
    path("bodies/<int:body_id>/", views.body_page, name="body"),
    path("<int:vote_id>/", views.vote_page, name="vote"),
    path("<int:vote_id>/cast/", views.cast, name="cast"),
    path("<int:vote_id>/do/<slug:action>/", views.act, name="act"),
    path("<int:vote_id>/notice.pdf", views.notice_pdf, name="notice"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<int:topic_id>/", views.topic_page, name="topic"),
    path("public/<int:community_id>/", views.public_results, name="public"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:meeting_id>/", views.meeting_page, name="meeting"),
]
