from django.db import migrations, models

from xeploai.reports.tally import rebuild


def count_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every cycle counted again, now also by the level its quota counts and by the civil
    servants' state results (and its roll-ups added up, which the previous migration left to
    this one)."""
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
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
