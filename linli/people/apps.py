from django.apps import AppConfig

from linli.core import registry


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = "居民档案"

    def ready(self) -> None:
        from linli.people import home  # imports models: only once apps are ready

        registry.home_tiles.register(home.tiles)
        registry.home_context.register(home.my_place)
