from django.apps import AppConfig

from linli.core import registry


class MatchingConfig(AppConfig):
    name = "linli.matching"
    label = "matching"
    verbose_name = "资源匹配"

    def ready(self) -> None:
        from linli.matching import home

        registry.home_tiles.register(home.tiles)
