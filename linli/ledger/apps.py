from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "linli.ledger"
    label = "ledger"
    verbose_name = "时间银行与积分"
