"""Debian's Chromium, headless, as the browser tests and the graph benchmark launch it on this machine.

No browser download works here: Chromium comes from Debian's package, and these flags keep it from reaching
for the network (without them its connections are refused by the closed network, many at a time).
"""

from __future__ import annotations

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
