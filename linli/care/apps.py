from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "linli.care"
    label = "care"
    verbose_name = "智慧养老"

    def ready(self) -> None:
        from linli.care import home
        from linli.core import registry

        registry.home_tiles.register(home.tiles)
