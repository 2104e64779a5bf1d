from django.apps import AppConfig

from linli.core import registry


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from linli.accounts import home
        from linli.accounts.services import api_token_authenticate

        registry.home_tiles.register(home.tiles)
        registry.home_context.register(home.memberships)
        registry.token_authenticators.register(api_token_authenticate)
