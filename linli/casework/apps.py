from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "linli.casework"
    label = "casework"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        from linli.casework import home
        from linli.core import registry

        registry.home_tiles.register(home.tiles)
