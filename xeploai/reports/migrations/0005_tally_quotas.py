import django.db.models.deletion
from django.db import migrations, models

from xeploai.reports.tally import rebuild


def count_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every cycle counted again, now also by the level its quota counts and by the civil
    servants' state results, each row with the path of its parent, and the roll-ups added up
    again as what lies below each unit (which the previous migration left to this one)."""
    rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0004_rollup'),
    ]

    operations = [
        migrations.AddField(
            model_name='rollup',
            name='latest',
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='tally',
            name='latest',
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='rollup',
            name='servant',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='rollup',
            name='state',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='tally',
            name='servant',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='tally',
            name='state',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AlterField(
            model_name='rollup',
            name='cycle',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cycles.cycle'),
        ),
        migrations.AlterField(
            model_name='tally',
            name='cycle',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cycles.cycle'),
        ),
        migrations.AddField(
            model_name='tally',
            name='parent_path',
            field=models.CharField(default='', max_length=255),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name='tally',
            index=models.Index(fields=['cycle', 'parent_path'], name='tally_cycle_parent'),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
