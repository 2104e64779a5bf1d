"""`manage.py care_gateway create|list|rotate|disable`: care gateways and their tokens
(CARE-2). A token is printed once; only its hash is kept."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.care.models import Gateway
from linli.care.services.devices import (
    gateway_create,
    gateway_deactivate,
    gateway_token_rotate,
)
from linli.core.errors import ApplicationError
from linli.geo.models import Community


class Command(BaseCommand):
    help = (
        "看护网关:create NAME [--community ID] 登记网关并签发令牌;list;rotate NAME;disable NAME。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="登记网关,签发令牌(只显示一次)")
        create.add_argument("name", metavar="NAME", help="网关名称,即 MQTT 主题中的一段")
        create.add_argument("--community", type=int, help="所属社区 id")
        actions.add_parser("list", help="列出网关")
        rotate = actions.add_parser("rotate", help="更换令牌,旧令牌立即失效")
        rotate.add_argument("name", metavar="NAME")
        disable = actions.add_parser("disable", help="停用网关")
        disable.add_argument("name", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _gateway(self, name: str) -> Gateway:
        gateway = Gateway.objects.filter(name=name).first()
        if gateway is None:
            raise CommandError(f"没有名为「{name}」的网关。")
        return gateway

    def _create(self, options: dict[str, Any]) -> None:
        community = None
        if options["community"] is not None:
            community = Community.objects.filter(pk=options["community"]).first()
            if community is None:
                raise CommandError(f"没有 id 为 {options['community']} 的社区。")
        gateway, token = gateway_create(actor=None, name=options["name"], community=community)
        self.stdout.write(
            self.style.SUCCESS(f"已登记网关「{gateway.name}」。令牌只显示这一次,请妥善保存:")
        )
        self.stdout.write(token)

    def _list(self, options: dict[str, Any]) -> None:
        rows = Gateway.objects.select_related("community").order_by("name")
        if not rows:
            self.stdout.write("还没有网关。")
        for g in rows:
            state = "启用" if g.active else "停用"
            self.stdout.write(
                f"{g.name}  {g.community or '-'}  {g.devices.count()} 台设备  {state}"
            )

    def _rotate(self, options: dict[str, Any]) -> None:
        gateway, token = gateway_token_rotate(
            actor=None, gateway_id=self._gateway(options["name"]).pk
        )
        self.stdout.write(self.style.SUCCESS(f"已为「{gateway.name}」更换令牌,旧令牌已失效:"))
        self.stdout.write(token)

    def _disable(self, options: dict[str, Any]) -> None:
        gateway = gateway_deactivate(actor=None, gateway_id=self._gateway(options["name"]).pk)
        self.stdout.write(self.style.SUCCESS(f"已停用网关「{gateway.name}」。"))
