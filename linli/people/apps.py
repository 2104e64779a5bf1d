from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = "居民档案"

    def ready(self) -> None:
        from linli.core import registry
        from linli.people import home

        registry.home_tiles.register(home.tiles)
        registry.home_context.register(home.my_place)
