"""manage.py people_rekey: re-encrypt personal data under the primary key (PEOPLE-2).

Rotation: put the new key first in LINLI_DATA_KEYS ("new:…,old:…"), restart, run this
command (batched, resumable, safe to repeat), then drop the old key. After changing
LINLI_INDEX_KEY, run it with --reindex. Prints counts, never values.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.people.services.rekey import RekeyFailed, data_rekey


class Command(BaseCommand):
    help = "用密钥环中的主密钥重新加密所有加密字段;--reindex 在更换索引密钥后重算身份证号索引。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="每批处理的行数(默认 1000)")
        parser.add_argument(
            "--reindex", action="store_true", help="同时用当前索引密钥重算身份证号索引"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计需要处理的行数")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch 必须是正整数")
        try:
            counts = data_rekey(
                batch=options["batch"],
                reindex=options["reindex"],
                dry_run=options["dry_run"],
                report=self.stdout.write,
            )
        except RekeyFailed as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        if options["dry_run"]:
            self.stdout.write(f"试运行:共有 {total} 行需要处理,未做任何修改。")
        else:
            self.stdout.write(self.style.SUCCESS(f"完成:共更新 {total} 行。"))
