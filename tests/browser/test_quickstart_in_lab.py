"""The quickstart in real JupyterLab: tokens stream before the run ends, a text_input box is answered."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from labhelpers import open_notebook, output_dir, run_new_cell, wait_kernel_idle
from playwright.sync_api import expect

QUICKSTART = Path(__file__).parent.parent.parent / "notebooks" / "quickstart.ipynb"

# Notes every moment a run view shows streamed tokens while its status still says RUNNING.
WATCH_STREAMING = """() => {
  window.__flowStreamedBeforeEnd = [];
  new MutationObserver(() => {
    for (const view of document.querySelectorAll('[data-testid=flow-run-view]')) {
      const status = view.querySelector('[data-testid=flow-run-status]')?.textContent;
      for (const tokens of view.querySelectorAll('.fnb-tokens')) {
        if (status === 'RUNNING' && tokens.textContent.length > 0) {
          window.__flowStreamedBeforeEnd.push(tokens.textContent.length);
        }
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_quickstart_streams_and_takes_an_answer(page: Any, lab: dict[str, Any]) -> None:
    shutil.copy(QUICKSTART, lab["root"] / "quickstart.ipynb")
    open_notebook(page, lab, "quickstart.ipynb")
    page.evaluate(WATCH_STREAMING)
    began = time.monotonic()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_kernel_idle(page)
    views = page.locator("[data-testid=flow-run-view]")
    expect(views).to_have_count(3, timeout=60_000)
    # run 1: money question, refused
    expect(views.nth(0).locator("[data-testid=flow-run-status]")).to_have_text("FINISHED", timeout=30_000)
    expect(views.nth(0).locator("[data-testid=flow-run-result]")).to_have_text(
        "result: Sorry, we do not answer money related questions."
    )
    # tokens were on screen while a run was still going
    lengths = page.evaluate("window.__flowStreamedBeforeEnd")
    assert lengths and min(lengths) < max(lengths), "tokens should appear, and grow, before the run ends"
    # run 3 waits for a name: answer the input box
    waiting = views.nth(2)
    expect(waiting.locator("[data-testid=flow-run-status]")).to_have_text("WAITING", timeout=30_000)
    box = waiting.locator("[data-testid=flow-input]")
    expect(box).to_have_attribute("placeholder", "")
    box.fill("Ada")
    waiting.locator("[data-testid=flow-send]").click()
    expect(waiting.locator("[data-testid=flow-run-status]")).to_have_text("FINISHED", timeout=30_000)
    expect(waiting.locator("[data-testid=flow-run-result]").last).to_have_text(
        "result: Thank you Ada, an agent will contact you about: Where is my parcel?"
    )
    expect(waiting.locator("[data-testid=flow-totals]")).to_contain_text("node runs")
    elapsed = time.monotonic() - began
    waiting.scroll_into_view_if_needed()
    shot = output_dir("quickstart") / "finished-run-view.png"
    page.screenshot(path=str(shot), full_page=False)
    (output_dir("quickstart") / "timing.txt").write_text(
        f"quickstart run-all to answered input: {elapsed:.1f} s\n"
    )
    # the answer reached the kernel: read the record back from Python in a new cell
    run_new_cell(
        page, "print(fn.registry.runs()[-1].status, fn.registry.runs()[-1].nodes['name'].runs[0].result)"
    )
    expect(page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-OutputArea-output")).to_contain_text(
        "FINISHED Ada"
    )
