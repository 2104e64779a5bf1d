from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import ApplicationError
from linli.demo import names as data
from linli.demo.plan import demo_plan, feature_collection_text
from linli.demo.services import DemoSummary, demo_build, demo_street
from linli.geo.models import District

BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "生成演示数据(杭州市西湖区西溪街道):社区、网格、楼栋、住户、居民、部门、"
        "责任清单和演示账号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=data.DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--password", default=data.DEFAULT_PASSWORD, help="所有演示账号共用的密码"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="只在数据库里还没有任何区划时生成(make run 用它,不会把演示数据混进真实数据)",
        )
        parser.add_argument(
            "--geojson-out",
            metavar="FILE",
            help="只把该种子的网格边界写成 GeoJSON 文件,不写数据库",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int = options["seed"]
        if options["geojson_out"]:
            path = Path(options["geojson_out"])
            path.write_text(feature_collection_text(demo_plan(seed=seed)), encoding="utf-8")
            self.stdout.write(f"已写入 {path}")
            return
        if options["if_empty"] and demo_street() is None and District.objects.exists():
            self.stdout.write("数据库里已有区划数据,未加载演示数据。")
            return
        password: str = options["password"]
        if not password:
            raise CommandError("密码不能为空")
        try:
            summary = demo_build(seed=seed, password=password)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self._report(summary, password)

    def _report(self, summary: DemoSummary, password: str) -> None:
        c = summary.counts
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已生成(种子 {summary.seed}):{c['communities']} 个社区、"
                    f"{c['grids']} 个网格、{c['buildings']} 幢楼、{c['households']} 户、"
                    f"{c['residents']} 名居民、{c['departments']} 个单位、"
                    f"{c['rules']} 条责任清单、{c['users']} 个账号、{c['cases']} 件诉求、"
                    f"{c['disputes']} 件矛盾纠纷。"
                )
            )
        else:
            self.stdout.write(
                "demo data already present(演示数据已存在,未重复生成;演示账号已确保存在,"
                "密码已设为下表所示)。"
            )
        rows = [("role", "角色", "username", "password", "姓名", "岗位", "open")]
        rows += [
            (x.role, x.label, x.username, password, x.full_name, x.scope, BASE_URL + x.path)
            for x in summary.logins
        ]
        widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(
                    cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
                ).rstrip()
            )
        self.stdout.write(
            "每个网格另有网格员 gw_<单元网格编码> 与志愿者 vol_<单元网格编码>_1/_2,"
            "其他社区书记 sec_<12 位社区编码>,密码同上。"
        )
        self.stdout.write(f"启动:python manage.py runserver,然后打开 {BASE_URL}/")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
