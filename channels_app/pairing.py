"""DM pairing: an unknown sender gets a short code; the operator approves it
(`python manage.py pairing approve discord CODE` or the admin action) and the sender is
remembered. Codes: 8 characters from an alphabet without look-alikes, valid 1 hour, at
most 3 pending per channel."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.inbound import InboundMessage
from channels_app.models import ApprovedSender, PairingRequest
from channels_app.policy.dm import PairingAttempt

log = logging.getLogger("epiloop.channels")

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
CODE_TTL = timedelta(hours=1)
MAX_PENDING = 3


class PairingError(Exception):
    pass


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def pending(channel: str | None = None) -> list[PairingRequest]:
    rows = PairingRequest.objects.filter(approved_at__isnull=True, expires_at__gt=timezone.now())
    if channel:
        rows = rows.filter(channel=channel)
    return list(rows.order_by("created_at"))


def is_approved(channel: str, sender_id: str, account_id: str = "default") -> bool:
    return ApprovedSender.objects.filter(
        channel=channel, account_id=account_id, sender_id=sender_id
    ).exists()


def request_code(inbound: InboundMessage) -> PairingAttempt:
    """The sender's pending code, or a new one (`created`), or nothing when the channel
    already has `MAX_PENDING` codes waiting (`full`)."""
    now = timezone.now()
    with transaction.atomic():
        live = PairingRequest.objects.filter(
            channel=inbound.channel, approved_at__isnull=True, expires_at__gt=now
        )
        mine = live.filter(sender_id=inbound.sender_id, account_id=inbound.account_id).first()
        if mine is not None:
            return PairingAttempt(code=mine.code)
        if live.count() >= MAX_PENDING:
            return PairingAttempt(full=True)
        for _ in range(5):
            code = new_code()
            try:
                with transaction.atomic():
                    PairingRequest.objects.create(
                        channel=inbound.channel,
                        account_id=inbound.account_id,
                        sender_id=inbound.sender_id,
                        sender_name=inbound.sender_name or inbound.sender_username,
                        chat_id=inbound.chat_id,
                        code=code,
                        expires_at=now + CODE_TTL,
                    )
            except IntegrityError:
                continue
            log.info(
                "pairing code %s issued to %s %s (%s)",
                code,
                inbound.channel,
                inbound.sender_id,
                inbound.sender_name,
            )
            return PairingAttempt(code=code, created=True)
    raise PairingError("could not allocate a unique pairing code")


def approve(channel: str, code: str) -> ApprovedSender:
    """Approve a pending code; the sender is remembered. Raises `PairingError` with a
    message naming what is wrong (unknown, expired or already used code)."""
    code = code.strip().upper()
    request = PairingRequest.objects.filter(channel=channel, code=code).first()
    if request is None:
        raise PairingError(f"no pairing request with code {code} on {channel}")
    if request.approved_at is not None:
        raise PairingError(f"code {code} was already approved")
    if request.expires_at <= timezone.now():
        raise PairingError(f"code {code} expired; ask the sender to message the bot again")
    with transaction.atomic():
        request.approved_at = timezone.now()
        request.save(update_fields=["approved_at"])
        sender, _ = ApprovedSender.objects.update_or_create(
            channel=channel,
            account_id=request.account_id,
            sender_id=request.sender_id,
            defaults={"sender_name": request.sender_name, "code": code},
        )
    log.info("pairing approved: %s %s (%s)", channel, request.sender_id, request.sender_name)
    return sender
