"""The base of every config table: a row made from one JSON object of `epiloop.json`
(see `config.rows`), and the JSON field that keeps key order."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.db import models

from config.jsontypes import Json
from config.rows import Spec

if TYPE_CHECKING:  # django-stubs' fields are generic (set type, get type); Django's are not
    _TextField = models.TextField[Json, Json]
else:
    _TextField = models.TextField


class PrettyJSONFormField(forms.JSONField):
    def prepare_value(self, value: Json) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class OrderedJSONField(_TextField):
    """JSON kept as text, so object key order survives on every database (jsonb sorts)."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Json:
        if value is None:
            return None
        return json.loads(value)

    def to_python(self, value: Json) -> Json:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Json) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def formfield(self, **kwargs: object) -> PrettyJSONFormField:  # type: ignore[override]
        return PrettyJSONFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )


def coerce_for_field(field: object, value: Json) -> Json:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BooleanField):
        return value if isinstance(value, bool) else None
    if isinstance(field, models.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return value if ok else None
    if isinstance(field, models.CharField | models.TextField):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        text = str(value)
        choices = [c[0] for c in field.choices or []]
        return text if not choices or text in choices else None
    return value


class ConfigRow(models.Model):
    """A row made from one JSON object of `epiloop.json`; `raw` is that object as written."""

    JSON_FIELDS: ClassVar[Spec] = {}
    LABEL: ClassVar[str] = ""

    raw = OrderedJSONField(default=dict, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def json_values(self) -> dict[str, Json]:
        return {attr: getattr(self, attr) for attr in self.JSON_FIELDS}

    @classmethod
    def coerce(cls, attr: str, value: Json) -> Json:
        """The value as this column can hold it, or None (the key then stays as written in
        `raw`, e.g. a `${VAR}` where a number goes)."""
        return coerce_for_field(cls._meta.get_field(attr), value)


class Singleton(ConfigRow):
    """A section that appears at most once (row pk 1 exists iff the file has the section)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
