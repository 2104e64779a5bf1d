"""The result notice (表决结果公告) as a Chinese PDF: the question, the rule, the counts, the
verdict (advisory for professional matters) and turnout by building and channel. The CJK
font is found as for the mediation agreement (LINLI_PDF_FONT or Debian's Noto CJK)."""

import os
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from linli.core.errors import ApplicationError
from linli.deliberation.choices import VoteKind
from linli.deliberation.models import Vote

DEFAULT_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class NoFont(ApplicationError):
    status = 503
    code = "no_cjk_font"


def _font() -> tuple[str, int]:
    configured = os.environ.get("LINLI_PDF_FONT", "")
    if configured:
        path, _sep, number = configured.partition("#")
        return path, int(number or 0)
    for path, index in DEFAULT_FONTS:
        if Path(path).exists():
            return path, index
    raise NoFont(_("服务器没有安装中文字体,无法生成公告;请管理员安装 fonts-noto-cjk。"))


def _area(hundredths: int) -> str:
    return f"{hundredths / 100:.2f}"


def result_pdf(vote: Vote) -> bytes:
    result = vote.result or {}
    path, index = _font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"表决结果公告 {vote.pk}")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)

    def line(text: str, size: float = 12, align: str = "L") -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, size * 0.6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    line(f"{vote.body.community.name}{vote.body.name}", 14, "C")
    line("表决结果公告", 18, "C")
    line(f"表决事项:{vote.question}")
    line(f"表决规则:{vote.rule.name}")
    opens = timezone.localtime(vote.opens_at).strftime("%Y年%m月%d日 %H:%M")
    closes = timezone.localtime(vote.closes_at).strftime("%Y年%m月%d日 %H:%M")
    line(f"投票时间:{opens} 至 {closes}({'无记名' if vote.secret else '记名'}投票)")
    turnout = result.get("turnout", {})
    line(
        f"应参与 {result.get('electorate', 0)},实际参与 {turnout.get('voted', 0)}"
        f"(网上 {turnout.get('by_channel', {}).get('web', 0)},"
        f"纸质 {turnout.get('by_channel', {}).get('paper', 0)})"
    )
    if vote.kind == VoteKind.DECISION:
        line(
            f"同意 {result.get('yes', 0)},反对 {result.get('no', 0)},"
            f"弃权 {result.get('abstain', 0)}"
        )
        if vote.rule.measure != "count":
            line(
                f"专有面积(㎡):同意 {_area(result.get('yes_area', 0))},"
                f"反对 {_area(result.get('no_area', 0))},"
                f"弃权 {_area(result.get('abstain_area', 0))},"
                f"总面积 {_area(result.get('area', 0))}"
            )
        verdict = "通过" if result.get("passed") else "未通过"
        if not result.get("quorum_met", True):
            verdict += "(未达到法定参与人数)"
        line(f"表决结果:{verdict}", 14)
        if vote.advisory:
            line("本事项属专业事项,表决结果仅作为参考意见,须以专业机构意见为准。")
    else:
        line("入选下月服务菜单:", 13)
        chosen = set(result.get("winners", []))
        for item in result.get("items", []):
            mark = "★ " if item["id"] in chosen else "   "
            score = f"{item['points']} 分" if result.get("ranked") else f"{item['approvals']} 票"
            line(f"{mark}{item['title']}:{score}")
    line("各楼栋参与情况:", 13)
    for row in turnout.get("by_building", []):
        line(f"{row['building'] or '—'}:{row['voted']} / {row['units']}")
    published = timezone.localtime(vote.published_at or timezone.now())
    line(published.strftime("公布日期:%Y年%m月%d日"), 12, "R")
    return bytes(pdf.output())
