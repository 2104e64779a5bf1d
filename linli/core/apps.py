from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from linli.core import registry, views
        from linli.core.text import refuse_bad_text_on_save

        registry.home_tiles.register(views.inbox_tile)
        pre_save.connect(refuse_bad_text_on_save, dispatch_uid="linli.core.refuse_bad_text")
