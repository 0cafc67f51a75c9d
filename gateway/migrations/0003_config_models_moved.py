# ConfigState, ConfigSection and ConfigRevision now belong to the `config` app (see
# config/migrations/0001_initial.py); their tables stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("gateway", "0002_revisions"),
        ("config", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ConfigSection"),
                migrations.DeleteModel(name="ConfigState"),
                migrations.DeleteModel(name="ConfigRevision"),
            ]
        ),
    ]
