"""The doctor's findings as Django system checks (tag "epiloop").

They are deployment checks: `manage.py check --deploy` and `manage.py doctor` run them, but
not every other command (an incomplete config must never stop `migrate` or `importconfig`,
and rungateway starts on its last valid config).
"""

from __future__ import annotations

from typing import Any

from django.core import checks

from gateway import doctor

TAG = "epiloop"


def as_message(finding: doctor.Finding) -> checks.CheckMessage:
    level = checks.Error if finding.is_error else checks.Warning
    return level(finding.message, hint=finding.hint, id=finding.id)


@checks.register(TAG, deploy=True)
def epiloop_doctor(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [as_message(f) for f in doctor.run(doctor.gather())]
