from django.urls import path

from linli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/sms/", views.login_sms, name="login_sms"),
    path("logout/", views.logout_view, name="logout"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
]
