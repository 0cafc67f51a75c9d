"""`python manage.py pairing list|approve CHANNEL CODE`: DM pairing approvals."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from channels_app import pairing
from epiloop_site.commands import EpiloopCommand


class Command(EpiloopCommand):
    help = "List pending DM pairing codes, or approve one (pairing approve discord CODE)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="pending codes (and approved senders)")
        listing.add_argument("channel", nargs="?", default=None)
        approve = sub.add_parser("approve", help="approve a pending code")
        approve.add_argument("channel")
        approve.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "approve":
            try:
                sender = pairing.approve(options["channel"], options["code"])
            except pairing.PairingError as exc:
                raise CommandError(str(exc)) from None
            who = (
                f"{sender.sender_name} ({sender.sender_id})"
                if sender.sender_name
                else sender.sender_id
            )
            self.stdout.write(f"approved {sender.channel} sender {who}")
            return
        rows = pairing.pending(options.get("channel"))
        if not rows:
            self.stdout.write("no pending pairing requests")
        now = timezone.now()
        for row in rows:
            minutes = max(0, int((row.expires_at - now).total_seconds() // 60))
            name = f" ({row.sender_name})" if row.sender_name else ""
            self.stdout.write(
                f"{row.channel}\t{row.code}\t{row.sender_id}{name}\texpires in {minutes} min"
            )
