"""The AWS services IAM's service last accessed reports know, from ``mockrunner/data/iam_service_names.json``.

Namespace -> the ``ServiceName`` IAM reports for it, as AWS answered GetServiceLastAccessedDetails for a policy
allowing ``"*"`` (recorded, 2026-09; the file names its evidence).  The same namespaces are the ones
ListPoliciesGrantingServiceAccess and GetServiceLastAccessedDetailsWithEntities accept, and the ones a wildcard
action stands for in a report.  Read on first use, once.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def service_names() -> dict[str, str]:
    """Namespace (lower case) -> service name, in namespace order."""
    raw = json.loads((resources.files("mockrunner") / "data" / "iam_service_names.json").read_text(encoding="utf-8"))
    return dict(sorted(raw["services"].items()))


def service_name(namespace: str) -> str:
    """The name IAM reports for ``namespace`` (the namespace itself for one the table lacks)."""
    return service_names().get(namespace, namespace)


def is_service_namespace(namespace: str) -> bool:
    """Whether IAM knows ``namespace`` (exactly: ``S3`` is not ``s3``)."""
    return namespace in service_names()
