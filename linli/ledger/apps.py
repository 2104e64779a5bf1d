from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "linli.ledger"
    label = "ledger"
    verbose_name = "时间银行与积分"

    def ready(self) -> None:
        from linli.core import registry
        from linli.ledger import home

        registry.home_tiles.register(home.tiles)
