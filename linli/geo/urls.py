from django.urls import path

from linli.geo import views

app_name = "geo"
urlpatterns = [path("map/", views.grid_map, name="map")]
