"""`manage.py ledger_check`: verify the whole ledger; exit 1 naming each break (LEDGER-5)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = "检查账本：每笔交易平衡、分录账本一致、缓存余额等于分录合计、无账户低于下限。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=100, help="每类问题最多列出多少条 / breaks per rule"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify(limit=options["limit"])
        summary = (
            f"交易 {result.transactions} 笔，分录 {result.entries} 条，账户 {result.accounts} 个"
            f" / {result.transactions} transactions, {result.entries} entries,"
            f" {result.accounts} accounts"
        )
        self.stdout.write(summary)
        if result.ok:
            self.stdout.write(self.style.SUCCESS("账本检查通过 / ledger check passed"))
            return
        for line in result.breaks:
            self.stderr.write(line)
        raise CommandError(
            f"账本检查发现 {len(result.breaks)} 处问题 / ledger check found"
            f" {len(result.breaks)} break(s)",
            returncode=1,
        )
