"""Each cell's count of current members, kept by triggers on the members' table: statement
triggers with transition tables on PostgreSQL (one write per statement, however many rows),
row triggers on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION members_count_cells() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Each branch writes its cells in one order, so that two writers never wait on
        -- each other in a circle.
        IF TG_OP = 'INSERT' THEN
            INSERT INTO members_cellcount (cell_id, n)
            SELECT cell_id, count(*) FROM new_rows WHERE "left" IS NULL
            GROUP BY cell_id ORDER BY cell_id
            ON CONFLICT (cell_id) DO UPDATE SET n = members_cellcount.n + excluded.n;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO members_cellcount (cell_id, n)
            SELECT cell_id, -count(*) FROM old_rows WHERE "left" IS NULL
            GROUP BY cell_id ORDER BY cell_id
            ON CONFLICT (cell_id) DO UPDATE SET n = members_cellcount.n + excluded.n;
        ELSE
            INSERT INTO members_cellcount (cell_id, n)
            SELECT cell_id, sum(d) FROM (
                SELECT cell_id, 1 AS d FROM new_rows WHERE "left" IS NULL
                UNION ALL
                SELECT cell_id, -1 FROM old_rows WHERE "left" IS NULL
            ) moved GROUP BY cell_id HAVING sum(d) <> 0
            ORDER BY cell_id
            ON CONFLICT (cell_id) DO UPDATE SET n = members_cellcount.n + excluded.n;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER members_count_inserted AFTER INSERT ON members_member"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION members_count_cells()",
    "CREATE TRIGGER members_count_deleted AFTER DELETE ON members_member"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION members_count_cells()",
    "CREATE TRIGGER members_count_updated AFTER UPDATE ON members_member"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION members_count_cells()",
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER members_count_inserted ON members_member",
    "DROP TRIGGER members_count_deleted ON members_member",
    "DROP TRIGGER members_count_updated ON members_member",
    "DROP FUNCTION members_count_cells()",
]
SQLITE = [
    """
    CREATE TRIGGER members_count_inserted AFTER INSERT ON members_member
    WHEN NEW."left" IS NULL BEGIN
        INSERT INTO members_cellcount (cell_id, n) VALUES (NEW.cell_id, 1)
        ON CONFLICT (cell_id) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER members_count_deleted AFTER DELETE ON members_member
    WHEN OLD."left" IS NULL BEGIN
        UPDATE members_cellcount SET n = n - 1 WHERE cell_id = OLD.cell_id;
    END
    """,
    """
    CREATE TRIGGER members_count_updated AFTER UPDATE OF cell_id, "left" ON members_member
    BEGIN
        UPDATE members_cellcount SET n = n - 1
        WHERE cell_id = OLD.cell_id AND OLD."left" IS NULL;
        INSERT INTO members_cellcount (cell_id, n) SELECT NEW.cell_id, 1 WHERE NEW."left" IS NULL
        ON CONFLICT (cell_id) DO UPDATE SET n = n + 1;
    END
    """,
]
SQLITE_UNDO = [
    "DROP TRIGGER members_count_inserted",
    "DROP TRIGGER members_count_deleted",
    "DROP TRIGGER members_count_updated",
]
COUNT = (
    "INSERT INTO members_cellcount (cell_id, n) SELECT cell_id, count(*) FROM members_member"
    ' WHERE "left" IS NULL GROUP BY cell_id'
)


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def count(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [COUNT, *(POSTGRESQL if vendor == "postgresql" else SQLITE)])


def uncount(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL_UNDO if vendor == "postgresql" else SQLITE_UNDO)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_post_titles"),
        ("units", "0002_historicalunit"),
    ]

    operations = [
        migrations.CreateModel(
            name="CellCount",
            fields=[
                (
                    "cell",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="units.unit",
                    ),
                ),
                ("n", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count, uncount),
    ]
