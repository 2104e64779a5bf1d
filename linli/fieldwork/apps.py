from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "linli.fieldwork"
    label = "fieldwork"
    verbose_name = "网格员的一天"

    def ready(self) -> None:
        from linli.core import registry
        from linli.fieldwork import home
        from linli.people.record_sections import record_sections

        registry.home_tiles.register(home.tiles)
        record_sections.register(home.visit_history)
