"""manage.py people_audit_report: the data-access audit report (PEOPLE-4) for the operator or
cron. Prints access per user and the flags; residents by record id only, never by name.

Exit codes: 0 normally; 2 with --fail-on-flags when anything is flagged or the audit log's
hash chain is broken (the cron job then mails its output)."""

import json
import sys
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.accounts.models import User
from linli.core.errors import ApplicationError
from linli.people.reports.audit import (
    AuditReport,
    audit_report,
    chain_reason,
    chain_status,
    report_dict,
)
from linli.people.reports.audit_data import period_parse, scope_all

COLUMNS = (
    "人员",
    "账号",
    "岗位",
    "查看档案",
    "涉及居民",
    "浏览名单",
    "修改",
    "导出",
    "审批等",
    "首次访问",
    "最后访问",
    "提示",
)
SHOWN_IDS = 12


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _ids(values: list[int], mark: str = "#") -> str:
    shown = " ".join(f"{mark}{v}" for v in values[:SHOWN_IDS])
    return shown + (f" 等共 {len(values)} 个" if len(values) > SHOWN_IDS else "")


class Command(BaseCommand):
    help = (
        "居民档案数据使用审计报告:按人员统计访问次数,并列出异常访问(批量读取、非工作时间、无理由)。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="开始日期 YYYY-MM-DD(默认:7天前)")
        parser.add_argument("--until", help="结束日期 YYYY-MM-DD(默认:今天)")
        parser.add_argument("--community", default="", help="社区码(3位,唯一时)或12位完整编码")
        parser.add_argument("--user", default="", help="只看这个账号(用户名)")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument(
            "--fail-on-flags",
            action="store_true",
            help="有异常访问或审计日志被破坏时以状态码 2 退出(供定时任务使用)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_parse(since=options["since"], until=options["until"])
            scope = scope_all(community_code=options["community"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        username = options["user"].strip()
        user_id = None
        if username:
            user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
        # An account deleted since is still found by the name its entries were written with.
        report = audit_report(
            period=period,
            scope=scope,
            user_id=user_id,
            username=username if user_id is None else "",
        )
        chain = chain_status(fresh=True)
        if options["json"]:
            data = report_dict(report, chain=chain)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._print(report, chain_line=self._chain_line(chain))
        if options["fail_on_flags"] and (report.flags or not chain.ok):
            sys.exit(2)

    @staticmethod
    def _chain_line(chain: Any) -> str:
        if chain.ok:
            return f"审计日志:完整,已校验 {chain.checked} 条记录。"
        return f"审计日志:在第 {chain.bad_seq} 条记录处被破坏({chain_reason(chain)})!"

    def _print(self, report: AuditReport, *, chain_line: str) -> None:
        out = self.stdout.write
        p = report.period
        out(f"数据使用审计报告 {p.since} 至 {p.until} · 范围:{report.scope.label}")
        out(chain_line)
        out("")
        out("按人员统计")
        if not report.users:
            out("  (这段时间没有访问居民档案的记录)")
        else:
            rows = [
                (
                    u.name,
                    u.username,
                    u.role_label or "—",
                    str(u.views),
                    str(u.residents),
                    str(u.lists),
                    str(u.changes),
                    str(u.exports),
                    str(u.others),
                    f"{u.first_at:%m-%d %H:%M}" if u.first_at else "",
                    f"{u.last_at:%m-%d %H:%M}" if u.last_at else "",
                    str(u.flags) if u.flags else "—",
                )
                for u in report.users
            ]
            widths = [max(_width(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
            for row in [COLUMNS, *rows]:
                out("  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        out("")
        out(f"需要关注的访问({len(report.flags)})")
        if not report.flags:
            out("  (没有发现异常访问)")
        for f in report.flags:
            out(f"  [{f.kind_label}] {f.name}({f.username}):{f.reason}")
            out(f"      审计记录:{_ids(f.seqs)}")
            out(f"      居民档案编号:{_ids(f.residents)}")
