"""The IAM policy engine: a pure library (standard library only) that answers "would AWS allow this?".

Public API: parse/validate policy documents with IAM's MalformedPolicyDocument wording, and evaluate
requests with AWS's evaluation logic, returning the decision, the statements that determined it, AWS's
denial message and, as data, any policy that could not be read (which never allows: see ``evaluate``).
"""

from .cache import clear_cache, parse_policy, validate_policy
from .document import Policy, PolicyKind, Statement
from .evaluate import (
    AuthzRequest,
    Decision,
    MatchedStatement,
    PolicyError,
    PolicyRef,
    PolicySet,
    Unreadable,
    evaluate,
    evaluate_guarded,
    guards_hold,
)
from .messages import MalformedPolicyError
from .principal import Principal, principal_from_arn

__all__ = [
    "AuthzRequest",
    "Decision",
    "MalformedPolicyError",
    "MatchedStatement",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicyRef",
    "PolicySet",
    "Principal",
    "Statement",
    "Unreadable",
    "clear_cache",
    "evaluate",
    "evaluate_guarded",
    "guards_hold",
    "parse_policy",
    "principal_from_arn",
    "validate_policy",
]
