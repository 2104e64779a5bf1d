from django.apps import AppConfig

from linli.core import registry


class LedgerConfig(AppConfig):
    name = "linli.ledger"
    label = "ledger"
    verbose_name = "时间银行与积分"

    def ready(self) -> None:
        from linli.ledger import home  # the app's own module, once the registry is ready

        registry.home_tiles.register(home.tiles)
