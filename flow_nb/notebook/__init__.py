"""The notebook: ``%%flow`` cells, ``%flow`` commands, the live run view.

``%load_ext flow_nb`` calls :func:`load_ipython_extension`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and the rich displays; say which model answers."""
    from ..engine import RunRecord
    from ..llm import is_configured
    from ..model import Workflow
    from ..testing.demo import DEMO_LABEL
    from ..workflow import watch_runs
    from .complete import install_completion
    from .display import record_html, record_text, workflow_html, workflow_text
    from .graph import show_run
    from .magics import FlowMagics
    from .mime import run_bundle, workflow_bundle

    ipython.register_magics(FlowMagics)
    formatters = ipython.display_formatter.formatters
    formatters["text/html"].for_type(Workflow, workflow_html)
    formatters["text/plain"].for_type(Workflow, lambda wf, p, cycle: p.text(workflow_text(wf)))
    formatters["text/html"].for_type(RunRecord, record_html)
    formatters["text/plain"].for_type(RunRecord, lambda r, p, cycle: p.text(record_text(r)))
    # the JSON the JupyterLab extension renders (a saved notebook shows it with no kernel)
    ipython.display_formatter.mimebundle_formatter.for_type(Workflow, workflow_bundle)
    ipython.display_formatter.mimebundle_formatter.for_type(RunRecord, run_bundle)
    install_completion(ipython)
    watch_runs(show_run)  # open graph widgets light up for every run of their workflow, whatever started it
    if not is_configured():
        print(
            "flow_nb: no model endpoint is configured (set OPENAI_BASE_URL / OPENAI_API_KEY and "
            "FLOW_NB_MODEL, "
            f"or call flow_nb.llm.configure). AI nodes will answer with the {DEMO_LABEL}."
        )
