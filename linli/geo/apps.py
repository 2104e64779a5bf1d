from django.apps import AppConfig

from linli.core import registry


class GeoConfig(AppConfig):
    name = "linli.geo"
    label = "geo"
    verbose_name = "网格与组织"

    def ready(self) -> None:
        from linli.geo import home

        registry.home_tiles.register(home.tiles)
        registry.home_context.register(home.place_stats)
