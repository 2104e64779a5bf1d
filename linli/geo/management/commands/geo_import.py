import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import ValidationFailed
from linli.geo.services import grids_import


def format_error(error: dict[str, Any]) -> str:
    """One line per error: `features[3] 110105001001004:与……重叠`."""
    where = "文件" if error.get("feature") is None else f"features[{error['feature']}]"
    code = error.get("unit_code")
    if code:
        where += f" {code}"
    return f"{where}:{error['message']}"


class Command(BaseCommand):
    help = "从 GeoJSON FeatureCollection 导入网格边界(全部校验通过才写入)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON 文件(WGS84 经纬度)")
        parser.add_argument("--dry-run", action="store_true", help="只校验,不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在:{path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件不是 UTF-8 编码:{path}") from exc
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}:{exc.strerror}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"不是有效的 JSON:{path} 第 {exc.lineno} 行第 {exc.colno} 列:{exc.msg}"
            ) from exc
        dry_run = bool(options["dry_run"])
        try:
            result = grids_import(actor=None, data=data, dry_run=dry_run)
        except ValidationFailed as exc:
            for error in exc.extra.get("errors", []):
                self.stderr.write(format_error(error))
            raise CommandError(exc.message) from exc
        if dry_run:
            self.stdout.write(
                f"校验通过(试运行,未写入):将新建 {result.created} 个网格,"
                f"更新 {result.updated} 个网格。"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"导入完成:新建 {result.created} 个网格,更新 {result.updated} 个网格。"
                )
            )
