from django.apps import AppConfig

from linli.core import registry


class DeliberationConfig(AppConfig):
    name = "linli.deliberation"
    label = "deliberation"
    verbose_name = "居民议事"

    def ready(self) -> None:
        from linli.deliberation import home

        registry.home_tiles.register(home.tiles)
