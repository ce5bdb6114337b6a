"""Real JupyterLab in headless Chromium (Debian's), driven by Python Playwright.

The recipe is ../shared/recipes/jupyterlab-in-chromium.md. Where Chromium is missing these tests skip,
except in CI (CI=true), where a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from labhelpers import TOKEN

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home, root = tmp_path_factory.mktemp("jhome"), tmp_path_factory.mktemp("root")
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    overrides = settings / "overrides.json"
    if not overrides.exists():  # no news toast over the outputs
        overrides.write_text(
            json.dumps(
                {
                    "@jupyterlab/apputils-extension:notification": {
                        "fetchNews": "false",
                        "checkForUpdates": False,
                    }
                }
            )
        )
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        env.pop(name, None)  # the quickstart runs on the scripted demo model
    log = (home / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--allow-root",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            request = urllib.request.Request(
                f"{base}/api/status", headers={"Authorization": f"token {TOKEN}"}
            )
            urllib.request.urlopen(request, timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"JupyterLab did not start; see {home / 'lab.log'}") from None
            time.sleep(0.3)
    yield {"base": base, "root": root, "log": home / "lab.log"}
    proc.terminate()
    proc.wait(15)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope: Playwright's sync API keeps an event loop running in this thread while it is open,
    # and the other tests need the thread without one (they call asyncio.run)
    from playwright.sync_api import sync_playwright

    xdg = tempfile.mkdtemp(prefix="chromium-xdg-")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            env={**os.environ, "XDG_CONFIG_HOME": xdg, "XDG_CACHE_HOME": xdg},
        )
        yield chromium
        chromium.close()
    shutil.rmtree(xdg, ignore_errors=True)


@pytest.fixture
def page(browser: Any, lab: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
    # kernels outlive pages: shut every session down
    request = urllib.request.Request(
        f"{lab['base']}/api/sessions", headers={"Authorization": f"token {TOKEN}"}
    )
    for session in json.loads(urllib.request.urlopen(request).read()):
        delete = urllib.request.Request(
            f"{lab['base']}/api/sessions/{session['id']}",
            method="DELETE",
            headers={"Authorization": f"token {TOKEN}"},
        )
        urllib.request.urlopen(delete).read()
