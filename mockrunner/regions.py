"""Which regions a request's SigV4 credential scope may name: those of the ``aws`` partition.

The list comes from the installed botocore's ``endpoints.json`` (the data its own endpoint resolution uses), so a
botocore that knows a new region lets mockrunner accept it without a code change.  mockrunner models the
commercial partition only (its ARNs say ``arn:aws:``); an endpoint of that partition refuses a signature scoped
to any other region — China, GovCloud or a made-up name — with "Credential should be scoped to a valid region,
not '<region>'. " (trailing space included: cognitect-labs/aws-api#27, joona/aws-es-curl#15; IAM and STS answer
``SignatureDoesNotMatch``, JuliaCloud/AWS.jl#565).

IAM is a global service signed for ``us-east-1`` on AWS, but botocore signs IAM requests for the client's own
region as soon as an ``endpoint_url`` is set (as every mockrunner user does), so any region of the partition is
accepted for IAM too.
"""
from __future__ import annotations

from functools import cache

from botocore.loaders import create_loader

PARTITION = "aws"


@cache
def known_regions() -> frozenset[str]:
    """The ``aws`` partition's regions according to botocore."""
    endpoints = create_loader().load_data("endpoints")
    for partition in endpoints["partitions"]:
        if partition["partition"] == PARTITION:
            return frozenset(partition["regions"])
    return frozenset()


def is_valid(region: str) -> bool:
    return region in known_regions()


def invalid_region_message(region: str) -> str:
    return f"Credential should be scoped to a valid region, not '{region}'. "
