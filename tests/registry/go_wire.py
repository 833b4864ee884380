"""What the raw-HTTP stand-ins for Go registry clients (``test_ggcr_wire.py``, ``test_regclient_wire.py``) read
back from the registry endpoint."""
from __future__ import annotations

import http.client
from dataclasses import dataclass


@dataclass
class Answer:
    """One response: its status, headers, whole body and the URL the request went to."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)
