"""What the running gateway knows about itself: readiness problems, bind, start time.

One instance per process (`RUNTIME`); the rungateway command fills it, views and the
protocol read it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Runtime:
    started_at: float = field(default_factory=time.time)
    host: str = ""
    port: int = 0
    bind: str = ""
    config_path: str = ""
    config_valid: bool = True
    config_problems: list[str] = field(default_factory=list)
    unconfigured: bool = False
    restart_needed: list[str] = field(default_factory=list)  # changed gateway.* keys

    def readiness(self) -> list[str]:
        """Each failing readiness check as one line; empty when ready."""
        failing: list[str] = []
        if not self.config_valid:
            failing += [f"config: {p}" for p in self.config_problems]
        return failing


RUNTIME = Runtime()
