"""The simulator (CARE-3..5): a small community through the real ingest, sweep and staff
services; every reading accounted for; the welfare alerts scored against the ground truth."""

from django.core.management import call_command

from linli.care.models import Alert, MaintenanceTask, Reading
from linli.simulate.care import simulation_run
from linli.simulate.care.episodes import RATES


def test_a_small_simulated_month_is_accounted_for_and_scored(db):
    # More incidents and faults than real life, so a small run has some of each.
    rates = {
        **RATES,
        "incapacitated": 1.5,
        "absence_unannounced": 0.6,
        "device_outage": 0.3,
        "stay_in": 3.0,
    }
    result = simulation_run(
        households=12, days=6, seed=7, warmup_days=1, rates=rates, quiet_share=0.2
    )
    c, f = result.counts, result.figures
    assert f is not None
    # No reading lost or doubled: each delivery is stored once, counted as a duplicate, or
    # (none here) refused.
    assert c.delivered + c.pending == c.generated
    assert c.accepted + c.duplicates + c.rejected == c.delivered
    assert c.rejected == 0
    assert Reading.objects.count() == c.accepted
    assert c.duplicates > 0 and c.late > 0
    assert f.incidents >= 2
    assert f.caught == f.in_time == f.incidents  # each within its rule window + 30 min
    assert f.precision >= 0.8
    assert Alert.objects.filter(status="closed").exists()  # the simulated visits closed them
    assert MaintenanceTask.objects.filter(kind="offline").exists()
    assert any(line.startswith("welfare precision") for line in result.lines)
    # Staying in for days while active at home: concern visits, scored on their own.
    n = f.not_out
    assert n is not None and n.persona_spells >= 1 and n.caught >= 1
    assert n.precision >= 0.8 and n.recall >= 0.5
    assert Alert.objects.filter(rule="not_out").exists()
    assert any(line.startswith("not-out concern visits told") for line in result.lines)


def test_the_command_prints_the_figures(db, capsys):
    call_command("care_simulate", households=3, days=1, warmup_days=0, seed=1, evaluate=True)
    out = capsys.readouterr().out
    assert "welfare precision" in out and "maintenance tasks" in out
