from django.apps import AppConfig

from linli.core import registry


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = "智慧养老"

    def ready(self) -> None:
        # Tiles name URLs and roles of care's pages: imported once the models are ready.
        from linli.care import home

        registry.home_tiles.register(home.tiles)
