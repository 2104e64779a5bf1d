# Snapshots become a lean cache keyed (hour, device); baselines keep weighted aggregates
# instead of samples, keyed (slot, device), read index-only. Both tables hold derived data
# only (baseline_refresh rebuilds the baselines from the readings), so they are recreated.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0003_services'),
    ]

    operations = [
        migrations.DeleteModel(name='PowerSnapshot'),
        migrations.DeleteModel(name='PowerBaseline'),
        migrations.CreateModel(
            name='PowerSnapshot',
            fields=[
                ('pk', models.CompositePrimaryKey('hour', 'device', blank=True, editable=False, primary_key=True, serialize=False)),
                ('hour', models.DateTimeField()),
                ('household_id', models.BigIntegerField()),
                ('at', models.DateTimeField()),
                ('value', models.FloatField()),
                ('device', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='care.device')),
            ],
        ),
        migrations.CreateModel(
            name='PowerBaseline',
            fields=[
                ('pk', models.CompositePrimaryKey('slot', 'device', blank=True, editable=False, primary_key=True, serialize=False)),
                ('slot', models.PositiveSmallIntegerField()),
                ('weight', models.FloatField(default=0.0)),
                ('expected', models.FloatField()),
                ('variance', models.FloatField()),
                ('days', models.PositiveSmallIntegerField()),
                ('refreshed_at', models.DateTimeField()),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='care.device')),
            ],
            options={
                'indexes': [models.Index(fields=['slot', 'device', 'expected', 'variance', 'days'], name='care_power_baseline_read')],
            },
        ),
    ]
