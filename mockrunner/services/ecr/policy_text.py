"""Repository policy text as ECR writes it back: ECR re-serializes the policy it stores in its (Jackson) pretty
form, whatever spacing the caller sent: objects one member a line indented two spaces a level, ``" : "`` between a
key and its value, arrays on one line as ``[ a, b ]`` (``[ ]`` and ``{ }`` when empty), keys in the caller's
order. Evidence: the AWS CLI reference's set-repository-policy example (a multi-line policy in, this form out),
its get-repository-policy and delete-repository-policy examples, and the SDK references' GetRepositoryPolicy
example.

Lifecycle policy text comes back from ``PutLifecyclePolicy``, ``GetLifecyclePolicy`` and
``DeleteLifecyclePolicy`` compact instead: no whitespace outside strings, keys in the caller's order (a
lifecycle policy preview keeps the text as sent). Evidence: Cloud Custodian's recordings of real ECR
(cloud-custodian/cloud-custodian, ``tests/data/placebo/test_ecr_lifecycle_update/``: a policy sent by
``json.dumps`` with its default spacing came back compact) and the AWS CLI reference's put-, get- and
delete-lifecycle-policy examples (a multi-line file in, compact text out; the preview examples echo the file).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class _Number(str):
    """A number as the caller wrote it (ECR's serializer keeps the value; the lexeme is the closest we have)."""


def ecr_policy_text(text: str) -> str:
    """``text`` (a policy ECR accepted) in ECR's pretty form; text that is no JSON is returned as it is."""
    return _rewritten(text, lambda document: _written(document, 0))


def ecr_compact_text(text: str) -> str:
    """``text`` (a lifecycle policy ECR accepted) as ECR writes it back: compact JSON, numbers as written, its
    rules in ``rulePriority`` order (the Terraform AWS provider's ``aws_ecr_lifecycle_policy`` documentation: "The
    AWS ECR API seems to reorder rules based on rulePriority", hence the provider's comparison sorting them before
    it compares, internal/service/ecr/lifecycle_policy.go; hashicorp/terraform-provider-aws#22639)."""
    return _rewritten(text, lambda document: _compact(_rules_by_priority(document)))


def _rules_by_priority(document: Any) -> Any:
    """``document`` with its ``rules`` sorted by ``rulePriority`` (stable; a policy ECR accepted has integer,
    distinct priorities)."""
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list) or not all(isinstance(rule, dict) and isinstance(rule.get("rulePriority"), _Number)
                                              for rule in rules):
        return document
    return {**document, "rules": sorted(rules, key=lambda rule: float(rule["rulePriority"]))}


def _rewritten(text: str, write: Callable[[Any], str]) -> str:
    """``text`` read (numbers kept as written) and written by ``write``; text that is no JSON as it is."""
    try:
        document = json.loads(text, parse_int=_Number, parse_float=_Number)
    except ValueError:
        return text
    return write(document)


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{_compact(item)}"
                              for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact(item) for item in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _written(value: Any, nesting: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{ }"
        inner = "\n" + "  " * (nesting + 1)
        members = ",".join(f"{inner}{json.dumps(key, ensure_ascii=False)} : {_written(item, nesting + 1)}"
                           for key, item in value.items())
        return "{" + members + "\n" + "  " * nesting + "}"
    if isinstance(value, list):
        return "[ " + ", ".join(_written(item, nesting) for item in value) + " ]" if value else "[ ]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
