"""Which regions a request's SigV4 credential scope may name: those of the ``aws`` partition.

Both the partition's region list and its ``regionRegex`` come from the installed botocore's ``endpoints.json`` (the
data its own endpoint resolution uses): the list names today's regions, and the pattern
(``^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$`` in botocore 1.43) admits a region launched after that botocore was
released, which a client of the same age can still be pointed at by name.  mockrunner models the commercial
partition only (its ARNs say ``arn:aws:``); an endpoint of that partition refuses a signature scoped to any other
region — China, GovCloud or a made-up name — with "Credential should be scoped to a valid region, not '<region>'. "
(trailing space included: cognitect-labs/aws-api#27, joona/aws-es-curl#15, rusoto/rusoto#1870; query services answer
``SignatureDoesNotMatch`` 403, JuliaCloud/AWS.jl#565; json services ``InvalidSignatureException`` 400).

IAM is a global service: real IAM refuses every scope but ``us-east-1`` with that same message (JuliaCloud/AWS.jl#565
"not 'us-east-2'", aws/aws-sdk-go#156, aws/aws-sdk-js-v3#1024), because SDKs resolve the global endpoint and sign for
us-east-1 themselves.  botocore, however, signs IAM for the client's own region as soon as an ``endpoint_url`` is
set (as every mockrunner user does), so refusing other regions would fail ordinary client code that works against
AWS: any region of the partition is accepted for IAM (and STS, which is regional anyway).
"""
from __future__ import annotations

import re
from functools import cache

from botocore.loaders import create_loader

PARTITION = "aws"


@cache
def _partition() -> tuple[frozenset[str], re.Pattern[str] | None]:
    """The ``aws`` partition's region names and ``regionRegex`` according to botocore."""
    for partition in create_loader().load_data("endpoints")["partitions"]:
        if partition["partition"] == PARTITION:
            pattern = partition.get("regionRegex")
            return frozenset(partition["regions"]), re.compile(pattern) if pattern else None
    return frozenset(), None


def known_regions() -> frozenset[str]:
    """The regions botocore lists for the ``aws`` partition."""
    return _partition()[0]


def is_valid(region: str) -> bool:
    """Listed by botocore, or shaped like a region of the partition (a region newer than this botocore)."""
    names, pattern = _partition()
    return region in names or (pattern is not None and pattern.fullmatch(region) is not None)


def invalid_region_message(region: str) -> str:
    return f"Credential should be scoped to a valid region, not '{region}'. "
