from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linli.casework.open311.keys import open311_key_create, open311_key_revoke, open311_keys
from linli.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Open311 接口密钥:create NAME 签发新密钥(只显示一次);list 列出密钥;revoke PREFIX 吊销密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="签发新密钥")
        create.add_argument("name", metavar="NAME", help="接入方名称,如 city-app")
        actions.add_parser("list", help="列出密钥(不含密钥本身)")
        revoke = actions.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("prefix", metavar="PREFIX", help="密钥前缀(list 中可见)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options: dict[str, Any]) -> None:
        row, key = open311_key_create(actor=None, name=options["name"])
        self.stdout.write(
            self.style.SUCCESS(
                f"已签发 Open311 密钥「{row.name}」(前缀 {row.prefix},诉求记在账号 "
                f"{row.user.username} 名下)。密钥只显示这一次,请妥善保存:"
            )
        )
        self.stdout.write(key)

    def _list(self, options: dict[str, Any]) -> None:
        rows = list(open311_keys())
        if not rows:
            self.stdout.write("还没有 Open311 密钥。")
        for row in rows:
            created = timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M")
            state = (
                f"已吊销 {timezone.localtime(row.revoked_at):%Y-%m-%d %H:%M}"
                if row.revoked_at
                else "有效"
            )
            self.stdout.write(
                f"{row.prefix}  {row.name}  {row.user.username}  签发 {created}  {state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        row = open311_key_revoke(actor=None, prefix=options["prefix"])
        self.stdout.write(self.style.SUCCESS(f"已吊销密钥 {row.prefix}(「{row.name}」)。"))
