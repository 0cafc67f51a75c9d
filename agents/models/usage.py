"""Token usage per agent, model and day, and the editable price table for cost estimates."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models


class ModelPrice(models.Model):
    model = models.CharField(
        max_length=200,
        unique=True,
        help_text='"provider/model" (e.g. anthropic/claude-opus-4-5) or a bare model name.',
    )
    input_per_mtok = models.DecimalField(
        "input $ / 1M tokens", max_digits=12, decimal_places=4, default=Decimal(0)
    )
    output_per_mtok = models.DecimalField(
        "output $ / 1M tokens", max_digits=12, decimal_places=4, default=Decimal(0)
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["model"]

    def __str__(self) -> str:
        return self.model

    def cost(self, tokens_in: int, tokens_out: int) -> Decimal:
        million = Decimal(1_000_000)
        return (tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / million


def price_for(provider: str, model: str) -> ModelPrice | None:
    prices = {
        p.model: p for p in ModelPrice.objects.filter(model__in=[f"{provider}/{model}", model])
    }
    return prices.get(f"{provider}/{model}") or prices.get(model)


class UsageDay(models.Model):
    day = models.DateField(db_index=True)
    agent_id = models.CharField(max_length=200)
    provider = models.CharField(max_length=100)
    model = models.CharField(max_length=200)
    turns = models.PositiveIntegerField(default=0)
    tokens_in = models.PositiveBigIntegerField(default=0)
    tokens_out = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-day", "agent_id", "model"]
        verbose_name = "usage per day"
        verbose_name_plural = "usage per day"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["day", "agent_id", "provider", "model"], name="one_usage_row_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.provider}/{self.model}"

    def estimated_cost(self) -> Decimal | None:
        price = price_for(self.provider, self.model)
        return price.cost(self.tokens_in, self.tokens_out) if price else None
