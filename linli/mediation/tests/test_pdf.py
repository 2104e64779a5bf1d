"""The agreement PDF (Art. 29): Chinese text as written (extracted back with poppler), every
required part present, and it renders to an image."""

import os
import shutil
import subprocess

import pytest

from conftest import IN_CI
from linli.mediation.choices import Status
from linli.mediation.tests.helpers import drive, mediation_world, register


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} not found: CI must install poppler-utils")
        pytest.skip(f"{name} is not installed")
    return path


def test_the_agreement_pdf_holds_the_art_29_contents_in_chinese(world, login, tmp_path):
    mw = mediation_world(world)
    dispute = drive(mw, register(mw), Status.AGREED)
    r = login("mediator").get(f"/mediation/{dispute.pk}/agreement.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(  # noqa: S603 (a poppler tool found on PATH, our own file)
        [_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())
    for part in (
        "人民调解协议书",
        dispute.number,
        "申请人:王秀英",
        "被申请人:李建国",
        "住址:1幢1单元202",
        "纠纷的主要事实、争议事项",
        "楼上夜间噪音",
        "李建国:晚上十点后不再拖动家具,椅脚加装静音垫",
        "履行方式:自行购买安装",
        "可以自本协议生效之日起30日内共同向人民法院申请司法确认",
        "人民调解员(签名):mediator",
        "甲社区人民调解委员会(印章)",
    ):
        assert part in flat, part
    png = tmp_path / "page"
    render = [_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(png)]
    subprocess.run(render, check=True)  # noqa: S603
    rendered = [f for f in os.listdir(tmp_path) if f.startswith("page") and f.endswith(".png")]
    assert rendered and (tmp_path / rendered[0]).stat().st_size > 5_000
    shots = os.path.join(os.path.dirname(__file__), "..", "..", "..", "var", "screenshots")
    os.makedirs(shots, exist_ok=True)
    shutil.copy(tmp_path / rendered[0], os.path.join(shots, "mediation-agreement-pdf.png"))


def test_no_pdf_before_an_agreement(world, login):
    mw = mediation_world(world)
    dispute = drive(mw, register(mw), Status.MEDIATING)
    r = login("mediator").get(f"/mediation/{dispute.pk}/agreement.pdf")
    assert r.status_code == 404 and "还没有调解协议" in r.content.decode()
