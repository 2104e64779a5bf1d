from django.apps import AppConfig

from linli.core import registry


class MediationConfig(AppConfig):
    name = "linli.mediation"
    label = "mediation"
    verbose_name = "矛盾调解"

    def ready(self) -> None:
        from linli.mediation import home

        registry.home_tiles.register(home.tiles)
