"""The ledger pages in English: with the language cookie set to "en" the hub, the time bank,
the service form, points, rewards and vouchers, the merchant's page, sharing, the public fund
pages and the two staff pages read in English, and no Chinese is left but the data (names,
places, items) and what the ledger stores in Chinese (memos and account names, written by the
services); without the cookie the pages are the same Chinese as before."""

import re

import pytest

from linli.ledger.models import Account, DonorKind, ItemKind, Voucher
from linli.ledger.services.funds import donation_record, matching_cap_set, project_propose
from linli.ledger.services.points import reward_redeem, voucher_use
from linli.ledger.services.sharing import rental_record, share_item_create
from linli.ledger.services.timebank import service_record_create
from linli.ledger.tests.programme_helpers import (
    elder_without_phone,
    give_points,
    give_time,
    key,
    reward,
    rule,
    today,
)
from linli.people.models import Resident
from linli.testing import english as en
from linli.testing.english import as_user, text

# The data of the test world and of the scene below: names, places, items, projects.
DATA = (
    "测试街道",
    "甲社区",
    "乙社区",
    "王秀英",
    "李大爷",
    "1幢",
    "理发券",
    "电钻",
    "西溪科技公司",
    "楼道照明改造",
    "规则vote",
    "陪同就医",
    "打扫卫生",
)
# What the ledger services store in Chinese: the memo of each transaction (shown in the
# histories) and the names of the accounts (staff funds page). Reported, not translated here.
STORED = re.compile(
    r"兑换:\S*|测试存入|测试积分|志愿服务 \d+ 小时|企业捐赠:\S*|政府1:1配套\S*|租用「\S*」\d+ 天"
)


@pytest.fixture
def scene(world):
    """Something on every part of the pages: a pending and a confirmed service, a voucher
    used at the merchant and one not yet, an item rented out, a donation matched by the
    government, a proposed project."""
    resident = Resident.objects.get(user=world["resident"])
    service_record_create(
        actor=world["volunteer"],
        resident=resident,
        served_on=today(),
        minutes=90,
        service="陪同就医",
        idempotency_key=key(),
    )
    service_record_create(
        actor=world["volunteer"],
        resident=elder_without_phone(world),
        served_on=today(),
        minutes=60,
        service="打扫卫生",
        idempotency_key=key(),
    )
    give_time(world, world["resident"], 120)
    give_points(world["resident"], 200)
    rule()
    item = reward(world, price=50, stock=5)
    used = reward_redeem(actor=world["resident"], reward=item, idempotency_key=key())
    voucher_use(actor=world["partner"], code=used.code)
    reward_redeem(actor=world["resident"], reward=item, idempotency_key=key())
    drill = share_item_create(actor=world["resident"], kind=ItemKind.TOOL, title="电钻", price=500)
    rental_record(actor=world["volunteer"], item=drill, days=2, idempotency_key=key())
    matching_cap_set(
        actor=world["street_admin"], community=world.community_a, year=today().year, cap=50_000
    )
    donation_record(
        actor=world["community_worker"],
        community=world.community_a,
        donor_name="西溪科技公司",
        donor_kind=DonorKind.ENTERPRISE,
        amount=123_456,
        anonymous=False,
        idempotency_key=key(),
    )
    project_propose(
        actor=world["community_worker"],
        community=world.community_a,
        name="楼道照明改造",
        budget=30_000,
        idempotency_key=key(),
    )
    return world


def english(html: str) -> str:
    """Also without the memos services store and the accounts' names."""
    names = Account.objects.values_list("name", flat=True)
    return en.english(STORED.sub("", html), (*names, *DATA))


# English ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "tiles"),
    [
        ("resident", ["Time bank", "My points", "Rewards", "Sharing", "Public fund accounts"]),
        ("volunteer", ["Record service time", "Time bank"]),
        ("grid_worker", ["Confirm services for elderly people"]),
        ("partner", ["Redeem vouchers"]),
        ("community_worker", ["Community funds", "Points and rewards"]),
        ("street_admin", ["Community funds", "Points and rewards"]),
    ],
)
def test_hub_in_english(scene, role, tiles):
    html = english(text(as_user(scene[role]).get("/ledger/")))
    assert "<h1>Time bank and points</h1>" in html
    for tile in tiles:
        assert f"<strong>{tile}</strong>" in html


def test_hub_balances_in_english(scene):
    html = english(text(as_user(scene["resident"]).get("/ledger/")))
    assert "<dt>Time credits</dt>" in html and ">2 h</dd>" in html
    assert "<dt>Points</dt>" in html and ">100 points</dd>" in html
    assert "Volunteer services waiting for you to confirm: 1" in html


def test_time_bank_in_english(scene):
    html = english(text(as_user(scene["resident"]).get("/ledger/time/")))
    assert "<h1>Time bank</h1>" in html and "My time credits" in html
    assert "Services for you to confirm" in html and "gave you “陪同就医”" in html
    assert "1 h 30 min" in html and ">Confirm</button>" in html and "Not right" in html
    assert "Ask for a service with time credits" in html and "About how long" in html
    assert "Family help (between generations)" in html and ">Add a relative</button>" in html
    assert "Volunteer service" in html or "+2 h" in html
    html = english(text(as_user(scene["volunteer"]).get("/ledger/time/")))
    assert "My volunteer services" in html and "To confirm" in html
    assert "Record service time" in html


def test_record_form_in_english(scene):
    volunteer = as_user(scene["volunteer"])
    html = english(text(volunteer.get("/ledger/time/record/")))
    assert "<h1>Record service time</h1>" in html
    assert "Date of service" in html and "Time spent" in html and "1 hour 30 min" in html
    assert "Going with someone to the doctor" in html and ">Submit</button>" in html
    resident = Resident.objects.get(user=scene["resident"])
    r = volunteer.post("/ledger/time/record/", {"target": f"r{resident.pk}", "minutes": "60"})
    assert r.status_code == 400
    assert "Please fill in: Service." in english(text(r))


def test_grid_confirm_in_english(scene):
    html = english(text(as_user(scene["grid_worker"]).get("/ledger/time/grid/")))
    assert "<h1>Confirm services for elderly people</h1>" in html
    assert "gave “打扫卫生”" in html and "60 min" in html
    assert ">Checked, confirm</button>" in html and ">Dispute it</button>" in html


def test_points_rewards_and_voucher_in_english(scene):
    resident = as_user(scene["resident"])
    html = english(text(resident.get("/ledger/points/")))
    assert "<h1>My points</h1>" in html and "100 points" in html
    assert "My vouchers" in html and "Not used" in html and "Used" in html
    assert "Points history" in html and "-50 points" in html
    html = english(text(resident.get("/ledger/rewards/")))
    assert 'I have <strong data-testid="points-balance">100</strong> points' in html
    assert "3 left" in html and "Get “理发券”" in html
    voucher = Voucher.objects.filter(used_at__isnull=True).get()
    html = english(text(resident.get(f"/ledger/vouchers/{voucher.pk}/")))
    assert "Show the code below to" in html and "Cost 50 points" in html
    assert 'aria-label="Voucher code"' in html


def test_redeeming_says_so_in_english(scene):
    item = reward(scene, price=10, stock=1, name="理发券")
    r = as_user(scene["resident"]).post(
        f"/ledger/rewards/{item.pk}/redeem/", {"idempotency_key": key()}, follow=True
    )
    assert "Done: 理发券. Show the code to the shop." in english(text(r))


def test_merchant_page_in_english(scene):
    merchant = as_user(scene["partner"])
    html = english(text(merchant.get("/ledger/merchant/")))
    assert "<h1>Redeem vouchers</h1>" in html and "Recently accepted" in html
    assert 'placeholder="8-character code"' in html and ">Accept voucher</button>" in html
    voucher = Voucher.objects.filter(used_at__isnull=True).get()
    html = english(text(merchant.post("/ledger/merchant/", {"code": voucher.code})))
    assert "Voucher accepted: 理发券" in html
    r = merchant.post("/ledger/merchant/", {"code": ""})
    assert "Please fill in: Voucher code." in english(text(r))


def test_share_page_in_english(scene):
    html = english(text(as_user(scene["resident"]).get("/ledger/share/")))
    assert "<h1>Sharing</h1>" in html and "Things I rent out" in html
    assert "¥5.00/day" in html and "For rent" in html and ">Pause</button>" in html
    assert "Offer something for rent" in html and "Rent per day (yuan)" in html
    html = english(text(as_user(scene["volunteer"]).get("/ledger/share/")))
    assert "Things to rent" in html and "Tools" in html and "Owner resident" in html
    assert "I have paid: record the rental" in html and "Things I rented" in html
    assert "2 day(s)" in html and "¥10.00" in html


def test_staff_points_in_english(scene):
    html = english(text(as_user(scene["community_worker"]).get("/ledger/staff/points/")))
    assert "Points and rewards · " in html and "Rewards list" in html
    assert "<th>Item</th>" in html and "On offer" in html and "Change “理发券”" in html
    assert "Give points" in html and "Resident&#x27;s user name" in html
    assert "Cancel and give points back" in html and "Used" in html


def test_staff_funds_in_english(scene):
    html = english(text(as_user(scene["secretary"]).get("/ledger/staff/funds/")))
    assert "Community funds · " in html and "Balances" in html
    assert "<dt>Community development fund</dt>" in html and "¥1,734.56" in html
    assert "Government 1:1 matching in " in html and "limit ¥500.00, matched ¥500.00" in html
    assert "Record a donation / residents' crowdfunding" in html
    assert "Company donation" in html and "Fund projects" in html
    assert "Pending" in html and ">Approve</button>" in html and ">Refuse</button>" in html
    assert "Download account histories" in html and "Download Excel" in html
    html = english(text(as_user(scene["street_admin"]).get("/ledger/staff/funds/")))
    assert "Set the government matching limit" in html and "Matching limit (yuan)" in html


def test_public_fund_pages_in_english(scene):
    anonymous = as_user(None)
    html = english(text(anonymous.get("/ledger/funds/")))
    assert "<h1>Community fund accounts</h1>" in html and "Development fund ¥1,734.56" in html
    html = english(text(anonymous.get(f"/ledger/funds/{scene.community_a.pk}/")))
    assert "Public fund accounts" in html and "Total in" in html and "Balance now" in html
    assert "Community welfare fund" in html and "Government matching" in html
    assert "Donation" in html and "+¥1,234.56" in html


# Chinese stays as it was ---------------------------------------------------------------------


def test_default_pages_are_still_chinese(scene):
    html = text(as_user(scene["resident"], lang=None).get("/ledger/"))
    assert '<html lang="zh-hans">' in html
    assert "<h1>时间银行与积分</h1>" in html and "有 1 条志愿服务等待您确认。" in html
    assert ">2小时</dd>" in html and ">100 分</dd>" in html and "Time bank" not in html
    html = text(as_user(scene["resident"], lang=None).get("/ledger/time/"))
    assert "为您提供了「陪同就医」" in html and "1小时30分钟" in html and "确认属实" in html
    assert 'data-testid="points-balance">100</strong> 分' in text(
        as_user(scene["resident"], lang=None).get("/ledger/rewards/")
    )
    html = text(as_user(scene["secretary"], lang=None).get("/ledger/staff/funds/"))
    assert "1,734.56 元" in html and "待审批" in html and "上限 500.00 元,已配套 500.00 元" in html
    html = text(as_user(scene["volunteer"], lang=None).get("/ledger/share/"))
    assert "5.00 元/天" in html and "物主 resident" in html and "2 天" in html
