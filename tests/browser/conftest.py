"""Real JupyterLab in headless Chromium (Debian's), driven by Python Playwright.

The recipe is ../shared/recipes/jupyterlab-in-chromium.md. Where Chromium is missing these tests skip,
except in CI (CI=true), where a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from labhelpers import TOKEN, jupyter_server

from flow_nb.testing.browser import CHROMIUM, CHROMIUM_FLAGS

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


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
    with jupyter_server("jupyterlab", home, root, args=["--LabApp.expose_app_in_browser=True"]) as base:
        yield {"base": base, "root": root, "log": home / "jupyterlab.log"}


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
            args=CHROMIUM_FLAGS,
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
