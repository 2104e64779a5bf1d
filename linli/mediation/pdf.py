"""The agreement as a PDF the parties sign (人民调解协议书, Art. 29 contents), in Chinese.

The font is a CJK font the server has (Debian's fonts-noto-cjk by default; a deployment
may name another with LINLI_PDF_FONT=path[#index]); only the glyphs used are embedded.
"""

import datetime as dt
import os
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from linli.core.errors import ApplicationError
from linli.mediation.models import Agreement
from linli.mediation.services.agreement import COURT_WINDOW_DAYS, obligations_of

# (path, index in the collection: Noto CJK's Simplified Chinese face is the third).
DEFAULT_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
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
    raise NoFont(_("服务器没有安装中文字体,无法生成协议书;请管理员安装 fonts-noto-cjk。"))


def _fmt(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日") if value else "____年__月__日"


def agreement_pdf(agreement: Agreement) -> bytes:
    dispute = agreement.dispute
    path, index = _font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"人民调解协议书 {dispute.number}")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)

    def line(text: str, size: float = 12, align: str = "L", gap: float = 2) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(
            0,
            size * 0.6,
            text,
            align=align,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(gap)

    committee = f"{dispute.community.name}人民调解委员会"
    line("人民调解协议书", size=20, align="C", gap=4)
    line(f"编号:{dispute.number}", size=10, align="R")
    line("一、当事人基本情况", size=13)
    for party in dispute.parties.select_related("resident__household__building"):
        facts = [f"{party.get_side_display()}:{party.display_name}"]
        r = party.resident
        if r is not None:
            facts.append(f"性别:{r.get_sex_display()}")
            facts.append(f"出生年份:{r.birth_year}")
            if r.address:
                facts.append(f"住址:{r.address}")
        elif party.phone_masked:
            facts.append(f"电话:{party.phone_masked}")
        line(",".join(facts))
    line("二、纠纷的主要事实、争议事项", size=13)
    line(agreement.facts)
    if agreement.responsibilities:
        line("三、各方当事人的责任", size=13)
        line(agreement.responsibilities)
    line(
        "四、协议内容及履行方式、期限"
        if agreement.responsibilities
        else "三、协议内容及履行方式、期限",
        size=13,
    )
    for i, item in enumerate(obligations_of(agreement), start=1):
        text = f"{i}. {item['name']}:{item['duty']}"
        if item["how"]:
            text += f";履行方式:{item['how']}"
        if item["by"]:
            text += f";于 {item['by']} 前履行完毕"
        line(text + "。")
    line(
        "本协议经各方当事人签名(盖章或按指印)、人民调解员签名并加盖人民调解委员会印章后生效,"
        "具有法律约束力,当事人应当按照约定履行。"
    )
    line(
        f"经双方当事人同意,可以自本协议生效之日起{COURT_WINDOW_DAYS}日内共同向人民法院申请司法确认。"
        + ("当事人已表示将申请司法确认。" if agreement.court_confirmation else "")
    )
    pdf.ln(6)
    for party in dispute.parties.select_related("resident"):
        line(f"{party.get_side_display()}(签名):________________    日期:____年__月__日")
    lead = dispute.mediators.filter(lead=True).select_related("mediator__user").first()
    mediator = lead.mediator.user.display_name if lead else "________________"
    line(f"人民调解员(签名):{mediator}")
    line(f"{committee}(印章)", align="R")
    line(_fmt(dispute.concluded_at), align="R")
    return bytes(pdf.output())
