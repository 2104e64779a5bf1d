from django.contrib import admin
from django.urls import include, path

from linli.api import api
from linli.core import views as core_views

admin.site.site_header = "邻里 · 系统管理"
admin.site.site_title = "邻里"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("linli.accounts.urls")),
    path("core/", include("linli.core.urls")),
    path("geo/", include("linli.geo.urls")),
    path("cases/", include("linli.casework.urls")),
    path("people/", include("linli.people.urls")),
    path("care/", include("linli.care.urls")),
    path("open311/v2/", include("linli.casework.open311.urls")),
    path("ledger/", include("linli.ledger.urls")),
    path("mediation/", include("linli.mediation.urls")),
    path("deliberation/", include("linli.deliberation.urls")),
    path("matching/", include("linli.matching.urls")),
    path("evaluation/", include("linli.evaluation.urls")),
    path("station/", include("linli.station.urls")),
    path("fieldwork/", include("linli.fieldwork.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
