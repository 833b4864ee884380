"""The dashboard at ``/_mockrunner/ui/``: the state, the decision log (live) with each decision explained, and
least-privilege suggestions, as server-rendered pages with a little script (no build step).

Mount :data:`ui` under ``/_mockrunner/ui``; it answers only requests the admin API would answer
(:mod:`mockrunner.dashboard.access`).
"""
from mockrunner.dashboard.routes import routing_error, ui

__all__ = ["routing_error", "ui"]
