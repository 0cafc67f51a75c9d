# The config models moved here from the gateway app. Their tables keep their names
# (gateway_configstate, gateway_configsection, gateway_configrevision): this migration only
# tells Django's state where the models live now, and moves their content types (so
# permissions and admin log entries follow them).

import django.utils.timezone
from django.db import migrations, models

import config.models.base

MOVED = ("configstate", "configsection", "configrevision")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label="config", model=model).exists():
            continue
        ContentType.objects.filter(app_label="gateway", model=model).update(app_label="config")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="config", model__in=MOVED).update(app_label="gateway")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("gateway", "0002_revisions"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="ConfigSection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=300, unique=True)),
                ("value", config.models.base.OrderedJSONField(blank=True, help_text="Any JSON value.", null=True)),
                ("position", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "other config section",
                "ordering": ["position", "pk"],
                "db_table": "gateway_configsection",
            },
        ),
        migrations.CreateModel(
            name="ConfigState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(blank=True, max_length=1000)),
                ("document", config.models.base.OrderedJSONField(blank=True, null=True)),
                ("order", config.models.base.OrderedJSONField(blank=True, default=dict)),
                ("file_hash", models.CharField(blank=True, max_length=64)),
                ("file_mtime", models.FloatField(blank=True, null=True)),
                ("source", models.CharField(blank=True, max_length=20)),
                ("synced_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "config file state",
                "verbose_name_plural": "config file state",
                "db_table": "gateway_configstate",
            },
        ),
        migrations.CreateModel(
            name="ConfigRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField()),
                ("hash", models.CharField(db_index=True, help_text="sha256 of the file", max_length=64)),
                ("source", models.CharField(choices=[("file", "file"), ("admin", "admin"), ("api", "api"), ("cli", "cli")], max_length=8)),
                ("user", models.CharField(blank=True, help_text="who made the change", max_length=150)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("note", models.CharField(blank=True, max_length=300)),
            ],
            options={
                "verbose_name": "config revision",
                "ordering": ["-id"],
                "db_table": "gateway_configrevision",
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
