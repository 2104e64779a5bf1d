"""The ledger pages: each role finds its way, forms post once, errors show in Chinese,
places are respected, the public fund page needs no login."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from linli.ledger.choices import Book
from linli.ledger.models import (
    Donation,
    DonorKind,
    Project,
    RecordStatus,
    Reward,
    ServiceRecord,
    Voucher,
    VoucherStatus,
)
from linli.ledger.services.common import fund_account
from linli.ledger.services.funds import donation_record
from linli.ledger.services.points import reward_redeem
from linli.ledger.services.timebank import service_record_create
from linli.ledger.tests.programme_helpers import (
    balance,
    elder_without_phone,
    give_points,
    key,
    reward,
    today,
    worker_of_b,
)
from linli.people.models import Resident


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "tile"),
    [
        ("resident", "时间银行"),
        ("volunteer", "登记服务时长"),
        ("grid_worker", "代老人确认服务"),
        ("partner", "兑换券核销"),
        ("community_worker", "社区基金管理"),
        ("street_admin", "积分与兑换管理"),
    ],
)
def test_hub_shows_each_role_its_pages(login, role, tile):
    assert tile in page(login(role), "/ledger/")


def test_home_page_links_to_the_ledger(login):
    assert 'href="/ledger/"' in page(login("resident"), "/")


def test_volunteer_records_resident_confirms_balance_shows(world, login):
    volunteer = login("volunteer")
    form = page(volunteer, "/ledger/time/record/")
    resident = Resident.objects.get(user=world["resident"])
    assert resident.full_name in form
    data = {
        "target": f"r{resident.pk}",
        "service": "陪同就医",
        "served_on": today().isoformat(),
        "minutes": "90",
        "idempotency_key": key(),
    }
    first = volunteer.post("/ledger/time/record/", data)
    again = volunteer.post("/ledger/time/record/", data)  # double submit
    assert first.status_code == again.status_code == 302
    record = ServiceRecord.objects.get()
    resident_client = login("resident")
    text = page(resident_client, "/ledger/time/")
    assert "等待您确认的服务" in text and "陪同就医" in text
    response = resident_client.post(f"/ledger/time/records/{record.pk}/confirm/", follow=True)
    assert "已确认" in response.content.decode()
    assert "1小时30分钟" in page(volunteer, "/ledger/time/")
    assert "1小时30分钟" in page(volunteer, "/ledger/")


def test_record_form_shows_errors_and_saves_nothing(world, login):
    resident = Resident.objects.get(user=world["resident"])
    response = login("volunteer").post(
        "/ledger/time/record/",
        {
            "target": f"r{resident.pk}",
            "service": "陪同就医",
            "served_on": "2099-01-01",
            "minutes": "60",
            "idempotency_key": key(),
        },
    )
    assert response.status_code == 400
    assert "服务日期不能晚于今天" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_grid_worker_confirms_for_an_elder(world, login):
    elder = elder_without_phone(world)
    record = service_record_create(
        actor=world["volunteer"],
        resident=elder,
        served_on=today(),
        minutes=60,
        service="打扫卫生",
        idempotency_key=key(),
    )
    gw = login("grid_worker")
    assert "李大爷" in page(gw, "/ledger/time/grid/")
    gw.post(f"/ledger/time/records/{record.pk}/confirm/")
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED
    assert balance(world["volunteer"], Book.TIME) == 60
    # Someone who is not the person served gets "not found".
    assert login("family").post(f"/ledger/time/records/{record.pk}/dispute/").status_code == 404


def test_redeem_on_the_page_shows_the_voucher_code(world, login):
    give_points(world["resident"], 60)
    item = reward(world, price=50, stock=1)
    client = login("resident")
    assert "理发券" in page(client, "/ledger/rewards/")
    response = client.post(
        f"/ledger/rewards/{item.pk}/redeem/", {"idempotency_key": key()}, follow=True
    )
    voucher = Voucher.objects.get()
    text = response.content.decode()
    assert voucher.code_display in text and "兑换成功" in text
    assert "10 分" in page(client, "/ledger/points/")
    # Someone else's voucher is not found.
    assert login("volunteer").get(f"/ledger/vouchers/{voucher.pk}/").status_code == 404


def test_redeem_without_points_shows_why(world, login):
    item = reward(world, price=50, stock=1)
    response = login("resident").post(
        f"/ledger/rewards/{item.pk}/redeem/", {"idempotency_key": key()}, follow=True
    )
    assert "积分不足" in response.content.decode()
    item.refresh_from_db()
    assert item.stock == 1 and not Voucher.objects.exists()


def test_merchant_page_marks_used_once(world, login):
    give_points(world["resident"], 50)
    voucher = reward_redeem(actor=world["resident"], reward=reward(world), idempotency_key=key())
    merchant = login("partner")
    ok = merchant.post("/ledger/merchant/", {"code": voucher.code_display})
    assert ok.status_code == 200 and "核销成功" in ok.content.decode()
    again = merchant.post("/ledger/merchant/", {"code": voucher.code})
    assert again.status_code == 400 and "不能重复使用" in again.content.decode()


def test_staff_catalogue_and_void_on_the_page(world, login):
    worker = login("community_worker")
    response = worker.post(
        f"/ledger/staff/{world.community_a.pk}/rewards/",
        {
            "name": "物业费抵扣10元",
            "points_price": "100",
            "stock": "20",
            "merchant": world["partner"].pk,
            "active": "on",
        },
        follow=True,
    )
    assert "已保存" in response.content.decode()
    item = Reward.objects.get(name="物业费抵扣10元")
    give_points(world["resident"], 100)
    voucher = reward_redeem(actor=world["resident"], reward=item, idempotency_key=key())
    assert "物业费抵扣10元" in page(worker, "/ledger/staff/points/")
    worker.post(f"/ledger/staff/vouchers/{voucher.pk}/cancel/")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.CANCELLED
    assert balance(world["resident"], Book.POINTS) == 100


def test_staff_funds_page_and_place_scoping(world, login):
    worker = login("community_worker")
    response = worker.post(
        f"/ledger/staff/{world.community_a.pk}/donations/",
        {
            "donor_name": "西溪科技公司",
            "donor_kind": DonorKind.ENTERPRISE,
            "amount": "1234.56",
            "received_on": today().isoformat(),
            "idempotency_key": key(),
        },
        follow=True,
    )
    assert "已登记捐赠" in response.content.decode()
    assert fund_account(world.community_a).balance == 123_456
    assert "1,234.56 元" in page(worker, "/ledger/staff/funds/")
    # A worker of 乙 can neither open nor post to 甲's fund.
    b_client = Client()
    b_client.force_login(worker_of_b(world))
    assert b_client.get(f"/ledger/staff/funds/?community={world.community_a.pk}").status_code == 404
    posted = b_client.post(
        f"/ledger/staff/{world.community_a.pk}/donations/",
        {
            "donor_name": "x",
            "donor_kind": "enterprise",
            "amount": "1",
            "received_on": today().isoformat(),
            "idempotency_key": key(),
        },
    )
    assert posted.status_code == 404 and Donation.objects.count() == 1
    assert "乙社区" in page(b_client, "/ledger/staff/funds/")


def test_project_flow_on_the_page(world, login):
    donation_record(
        actor=world["community_worker"],
        community=world.community_a,
        donor_name="某公司",
        donor_kind=DonorKind.ENTERPRISE,
        amount=100_000,
        idempotency_key=key(),
    )
    worker, secretary = login("community_worker"), login("secretary")
    worker.post(
        f"/ledger/staff/{world.community_a.pk}/projects/",
        {"name": "楼道照明", "budget": "800", "idempotency_key": key()},
    )
    project = Project.objects.get()
    secretary.post(f"/ledger/staff/projects/{project.pk}/decide/", {"decision": "approve"})
    over = worker.post(
        f"/ledger/staff/projects/{project.pk}/disburse/",
        {"amount": "900", "memo": "灯具", "idempotency_key": key()},
        follow=True,
    )
    assert "超过项目剩余预算" in over.content.decode()
    worker.post(
        f"/ledger/staff/projects/{project.pk}/disburse/",
        {"amount": "500", "memo": "灯具", "idempotency_key": key()},
    )
    project.refresh_from_db()
    assert project.disbursed == 50_000


def test_public_fund_page_needs_no_login_and_hides_anonymous_donors(
    world, client, django_assert_max_num_queries
):
    for name, anonymous in (("西溪科技公司", False), ("王秀英", True)):
        donation_record(
            actor=world["community_worker"],
            community=world.community_a,
            donor_name=name,
            donor_kind=DonorKind.RESIDENT,
            amount=10_000,
            anonymous=anonymous,
            idempotency_key=key(),
        )
    assert "甲社区" in page(client, "/ledger/funds/")
    with django_assert_max_num_queries(12):
        text = page(client, f"/ledger/funds/{world.community_a.pk}/")
    assert "西溪科技公司" in text and "匿名" in text and "王秀英" not in text
    assert "200.00 元" in text  # total inflow


def test_export_own_account_and_community_accounts_only(world, login):
    give_points(world["resident"], 30)
    own = world["resident"].ledger_accounts.get(book=Book.POINTS)
    response = login("resident").get(f"/ledger/accounts/{own.pk}/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("时间", "摘要", "类型", "金额", "余额") and rows[2][3] == 30
    assert login("volunteer").get(f"/ledger/accounts/{own.pk}/export/").status_code == 404
    fund = fund_account(world.community_a)
    assert login("community_worker").get(f"/ledger/accounts/{fund.pk}/export/").status_code == 200
    b_client = Client()
    b_client.force_login(worker_of_b(world))
    assert b_client.get(f"/ledger/accounts/{fund.pk}/export/").status_code == 404


def test_sharing_page_rent_and_income(world, login):
    owner = login("resident")
    owner.post("/ledger/share/items/", {"kind": "tool", "title": "电钻", "price": "10.10"})
    renter = login("volunteer")
    text = page(renter, "/ledger/share/")
    assert "电钻" in text and "5%" in text
    from linli.ledger.models import ShareItem

    thing = ShareItem.objects.get()
    renter.post(f"/ledger/share/items/{thing.pk}/rent/", {"days": "3", "idempotency_key": key()})
    assert balance(world["resident"], Book.MONEY) == 3030 - 152  # 151.5 → 152 to welfare
    assert "28.78 元" in page(owner, "/ledger/share/")


def test_demo_seed_is_deterministic_and_safe_to_run_twice(world, login):
    from linli.demo.ledger import seed_ledger
    from linli.ledger.models import Entry, Transaction
    from linli.ledger.tests.programme_helpers import assert_ledger_ok

    elder_without_phone(world)
    first = seed_ledger(street=world.street)
    counts = (Transaction.objects.count(), Entry.objects.count(), Voucher.objects.count())
    again = seed_ledger(street=world.street)
    assert first == again and first["rewards"] == 3 and first["projects"] == 2
    assert (Transaction.objects.count(), Entry.objects.count(), Voucher.objects.count()) == counts
    assert_ledger_ok()
    # What the demo logins see.
    assert "陪同就医" in page(login("volunteer"), "/ledger/time/")
    assert "等待您确认的服务" in page(login("resident"), "/ledger/time/")
    assert balance(world["resident"], Book.POINTS) == 120
    assert "老旧小区楼道加装扶手" in page(Client(), f"/ledger/funds/{world.community_a.pk}/")


def test_point_rules_and_records_in_the_admin(world, login):
    from linli.ledger.tests.programme_helpers import rule

    rule("vote", points=5)
    admin = login("sysadmin")
    assert "vote" in page(admin, "/admin/ledger/pointrule/")
    for model in ("reward", "voucher", "servicerecord", "donation", "project", "matchingcap"):
        page(admin, f"/admin/ledger/{model}/")
    # Records that mirror ledger postings cannot be added by hand.
    assert admin.get("/admin/ledger/voucher/add/").status_code == 403
