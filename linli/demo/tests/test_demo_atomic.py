"""A demo build that fails part-way leaves nothing behind."""

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
