from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_save

        from linli.core import registry, views
        from linli.core.text import guard_connection, refuse_bad_text_on_save

        registry.home_tiles.register(views.inbox_tile)
        pre_save.connect(refuse_bad_text_on_save, dispatch_uid="linli.core.refuse_bad_text")
        connection_created.connect(guard_connection, dispatch_uid="linli.core.guard_connection")
        for connection in connections.all(initialized_only=True):
            guard_connection(sender=None, connection=connection)
