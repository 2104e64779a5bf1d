"""LEDGER-2 社区积分: idempotent awards with daily caps, a catalogue whose stock never goes
below zero, vouchers a merchant marks used once, cancellation that restores everything."""

import threading

import pytest
from django.db import connection, connections

from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.ledger.choices import Book
from linli.ledger.models import PointAward, Reward, Transaction, Voucher, VoucherStatus
from linli.ledger.services.points import (
    CODE_ALPHABET,
    CODE_LENGTH,
    points_award,
    points_award_by_staff,
    reward_redeem,
    reward_save,
    voucher_cancel,
    voucher_use,
)
from linli.ledger.tests.programme_helpers import (
    assert_ledger_ok,
    balance,
    give_points,
    key,
    resident_user,
    reward,
    rule,
    worker_of_b,
)


def test_award_is_idempotent_by_source_key(world):
    rule("vote", points=10)
    user = world["resident"]
    first = points_award(actor=None, user=user, rule_code="vote", source_key="vote:12:user:5")
    again = points_award(actor=None, user=user, rule_code="vote", source_key="vote:12:user:5")
    assert first.pk == again.pk
    assert balance(user, Book.POINTS) == 10
    with pytest.raises(Conflict):  # the same source for someone else
        points_award(
            actor=None, user=world["volunteer"], rule_code="vote", source_key="vote:12:user:5"
        )
    assert balance(world["volunteer"], Book.POINTS) == 0


def test_daily_cap_gives_the_rest_then_refuses(world):
    rule("meeting", points=15, daily_cap=20)
    user = world["resident"]
    points_award(actor=None, user=user, rule_code="meeting", source_key="m:1")
    points_award(actor=None, user=user, rule_code="meeting", source_key="m:2")
    assert balance(user, Book.POINTS) == 20  # 15 + the 5 left under the cap
    with pytest.raises(ValidationFailed, match="上限") as exc:
        points_award(actor=None, user=user, rule_code="meeting", source_key="m:3")
    assert exc.value.code == "points_capped"
    assert balance(user, Book.POINTS) == 20
    assert PointAward.objects.count() == 2


def test_unknown_or_inactive_rule_awards_nothing(world):
    r = rule("observer", points=30)
    r.active = False
    r.save()
    for code in ("observer", "nope"):
        with pytest.raises(ValidationFailed):
            points_award(actor=None, user=world["resident"], rule_code=code, source_key=f"x:{code}")
    assert not Transaction.objects.filter(kind="points.award").exists()


def test_a_caller_can_carry_on_after_a_capped_award(world):
    """Other apps award inside their own transaction; a refusal must not break it."""
    from django.db import transaction

    rule("vote", points=5, daily_cap=5)
    user = world["resident"]
    with transaction.atomic():
        points_award(actor=None, user=user, rule_code="vote", source_key="v:1")
        with pytest.raises(ValidationFailed):
            points_award(actor=None, user=user, rule_code="vote", source_key="v:2")
        Reward.objects.count()  # the outer transaction is still usable
    assert balance(user, Book.POINTS) == 5


def test_staff_award_is_scoped_to_their_community(world):
    rule("observer", points=30)
    b_worker = worker_of_b(world)
    with pytest.raises(NotFound):
        points_award_by_staff(
            actor=b_worker, user=world["resident"], rule_code="observer", idempotency_key=key()
        )
    k = key()
    points_award_by_staff(
        actor=world["community_worker"],
        user=world["resident"],
        rule_code="observer",
        idempotency_key=k,
    )
    points_award_by_staff(
        actor=world["community_worker"],
        user=world["resident"],
        rule_code="observer",
        idempotency_key=k,
    )
    assert balance(world["resident"], Book.POINTS) == 30


def test_redeem_takes_points_and_stock_and_issues_a_readable_code(world):
    user = world["resident"]
    give_points(user, 120)
    item = reward(world, price=50, stock=2)
    k = key()
    voucher = reward_redeem(actor=user, reward=item, idempotency_key=k)
    again = reward_redeem(actor=user, reward=item, idempotency_key=k)  # double submit
    assert voucher.pk == again.pk
    item.refresh_from_db()
    assert item.stock == 1 and balance(user, Book.POINTS) == 70
    assert len(voucher.code) == CODE_LENGTH and set(voucher.code) <= set(CODE_ALPHABET)
    assert not set(voucher.code) & set("0O1IL5S2Z8B")
    assert voucher.status == VoucherStatus.ISSUED
    assert_ledger_ok()


def test_redeeming_without_enough_points_changes_nothing(world):
    user = world["resident"]
    give_points(user, 49)
    item = reward(world, price=50, stock=3)
    with pytest.raises(ValidationFailed, match="积分不足") as exc:
        reward_redeem(actor=user, reward=item, idempotency_key=key())
    assert exc.value.code == "insufficient"
    item.refresh_from_db()
    assert item.stock == 3 and balance(user, Book.POINTS) == 49
    assert not Voucher.objects.exists()


def test_last_item_goes_to_one_person_only(world):
    item = reward(world, price=10, stock=1)
    first, second = world["resident"], resident_user(world, "neighbour")
    give_points(first, 10)
    give_points(second, 10)
    reward_redeem(actor=first, reward=item, idempotency_key=key())
    with pytest.raises(ValidationFailed, match="兑完") as exc:
        reward_redeem(actor=second, reward=item, idempotency_key=key())
    assert exc.value.code == "out_of_stock"
    item.refresh_from_db()
    assert item.stock == 0 and balance(second, Book.POINTS) == 10


def test_catalogue_of_another_community_is_not_found(world):
    outsider = resident_user(world, "b_res", grid=world.grid_b1)
    give_points(outsider, 100)
    with pytest.raises(NotFound):
        reward_redeem(actor=outsider, reward=reward(world), idempotency_key=key())


def test_merchant_marks_a_voucher_used_once(world, django_capture_on_commit_callbacks):
    user = world["resident"]
    give_points(user, 50)
    voucher = reward_redeem(actor=user, reward=reward(world, price=50), idempotency_key=key())
    spoken = f" {voucher.code[:4].lower()}-{voucher.code[4:]} "  # read aloud, typed loosely
    with django_capture_on_commit_callbacks(execute=True):
        used = voucher_use(actor=world["partner"], code=spoken)
    assert used.status == VoucherStatus.USED and used.used_by == world["partner"]
    assert user.notifications.filter(title__contains="已使用").exists()
    with pytest.raises(Conflict, match="使用过,不能重复使用"):
        voucher_use(actor=world["partner"], code=voucher.code)


def test_other_merchant_or_wrong_code_is_not_found(world):
    from linli.core.roles import Role
    from linli.testing.world import make_user

    give_points(world["resident"], 50)
    voucher = reward_redeem(actor=world["resident"], reward=reward(world), idempotency_key=key())
    other = make_user("barber2", Role.PARTNER)
    with pytest.raises(NotFound):
        voucher_use(actor=other, code=voucher.code)
    with pytest.raises(NotFound):
        voucher_use(actor=world["partner"], code="AAAA7777")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.ISSUED


def test_cancel_unused_voucher_restores_points_and_stock(world):
    user = world["resident"]
    give_points(user, 50)
    item = reward(world, price=50, stock=1)
    voucher = reward_redeem(actor=user, reward=item, idempotency_key=key())
    with pytest.raises(NotFound):  # a worker of 乙 cannot touch 甲's vouchers
        voucher_cancel(actor=worker_of_b(world), voucher=voucher)
    voucher_cancel(actor=world["community_worker"], voucher=voucher)
    voucher_cancel(actor=world["community_worker"], voucher=voucher)  # twice: once
    item.refresh_from_db()
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.CANCELLED
    assert item.stock == 1 and balance(user, Book.POINTS) == 50
    assert Transaction.objects.filter(kind="points.redeem.reversal").count() == 1
    with pytest.raises(Conflict, match="作废"):
        voucher_use(actor=world["partner"], code=voucher.code)
    assert_ledger_ok()


def test_used_voucher_cannot_be_cancelled(world):
    give_points(world["resident"], 50)
    voucher = reward_redeem(actor=world["resident"], reward=reward(world), idempotency_key=key())
    voucher_use(actor=world["partner"], code=voucher.code)
    with pytest.raises(Conflict, match="已使用"):
        voucher_cancel(actor=world["community_worker"], voucher=voucher)
    assert balance(world["resident"], Book.POINTS) == 0


def test_catalogue_is_managed_per_community(world):
    b_worker = worker_of_b(world)
    with pytest.raises(NotFound):
        reward_save(
            actor=b_worker,
            community=world.community_a,
            name="理发券",
            points_price=50,
            stock=10,
            merchant=world["partner"],
        )
    with pytest.raises(ValidationFailed) as exc:
        reward_save(
            actor=world["community_worker"],
            community=world.community_a,
            name="理发券",
            points_price=50,
            stock=10,
            merchant=world["resident"],  # not a partner
        )
    assert exc.value.field == "merchant"
    item = reward_save(
        actor=world["community_worker"],
        community=world.community_a,
        name="家政服务一小时",
        points_price=200,
        stock=5,
        merchant=world["partner"],
    )
    assert item.community == world.community_a and item.active


@pytest.mark.django_db(transaction=True)
def test_parallel_redeems_never_oversell(request):
    """Real parallel database sessions (PostgreSQL): 8 people race for 3 items."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel sessions need PostgreSQL (SQLite serialises all writers)")
    from linli.testing.world import build_world

    world = build_world()
    item = reward(world, price=10, stock=3)
    people = [resident_user(world, f"racer{i}") for i in range(8)]
    for p in people:
        give_points(p, 10)
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def race(person):
        try:
            barrier.wait()
            reward_redeem(actor=person, reward=item, idempotency_key=key())
            outcomes.append("ok")
        except ValidationFailed as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    item.refresh_from_db()
    assert outcomes.count("ok") == 3 and outcomes.count("out_of_stock") == 5
    assert item.stock == 0 and Voucher.objects.count() == 3
    assert sum(balance(p, Book.POINTS) for p in people) == 50
    assert_ledger_ok()
