from django.apps import AppConfig

from linli.core import registry


class StationConfig(AppConfig):
    name = "linli.station"
    label = "station"
    verbose_name = "综合服务驿站"

    def ready(self) -> None:
        from linli.station import home

        registry.home_tiles.register(home.tiles)
