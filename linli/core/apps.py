from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from linli.core import registry, views

        registry.home_tiles.register(views.inbox_tile)
