"""A demo build that fails part-way leaves nothing behind."""

from io import StringIO

import pytest

from linli.accounts.models import User
from linli.core.audit.models import AuditEntry
from linli.demo import services
from linli.geo.models import Community, District, Grid, Street


@pytest.mark.django_db
def test_failure_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_people", boom)
    with pytest.raises(RuntimeError):
        services.demo_build(seed=1, password="x")
    for model in (District, Street, Community, Grid, User, AuditEntry):
        assert not model.objects.exists(), model


@pytest.mark.django_db
def test_if_empty_leaves_a_real_database_alone():
    from django.core.management import call_command

    from linli.geo.models import District, Grid

    District.objects.create(code="110105", name="朝阳区", city="北京市")
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "未加载演示数据" in out.getvalue()
    assert District.objects.count() == 1 and Grid.objects.count() == 0
