from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "linli.geo"
    label = "geo"
    verbose_name = "网格与组织"
