"""Every operation of the four models, fuzzed through the whole pipeline (signed, in-process WSGI).

Each operation gets :data:`PER_OPERATION` deterministic cases (a valid input, then mutations of it: missing
required members, wrong JSON types at every depth, out-of-range numbers, over-long and hostile strings, bad enum
values, bad ARNs, malformed policies, huge lists, empty values, unknown members) plus raw broken bodies, against
a populated world (see ``world.py``).  Every answer must be an AWS-shaped error or a success (501 only for the
model operations mockrunner does not implement), and a failed request must not change the state.
"""
from __future__ import annotations

import pytest

from mockrunner.protocol import specs
from mockrunner.services import load_all, registry
from tests.robustness import fuzzing, generate, wire
from tests.robustness.world import World, build_world

PER_OPERATION = 40
CHUNK = 30


def _chunks() -> list[tuple[str, int, list[str]]]:
    chunks = []
    for service in specs.SERVICES:
        names = list(specs.service_model(service).operation_names)
        for start in range(0, len(names), CHUNK):
            chunks.append((service, start // CHUNK, names[start:start + CHUNK]))
    return chunks


CHUNKS = _chunks()


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


def _summary(report: fuzzing.Report) -> str:
    shown = "\n".join(problem[:500] for problem in report.problems[:25])
    return f"{len(report.problems)} problems in {report.requests} requests:\n{shown}"


@pytest.mark.parametrize(("service", "index", "names"), CHUNKS, ids=[f"{s}-{i}" for s, i, _ in CHUNKS])
def test_fuzzed_operations_answer_like_aws_and_never_corrupt_state(world, service, index, names):
    report = fuzzing.fuzz_operations(world, service, names, PER_OPERATION)
    assert not report.problems, _summary(report)
    implemented = sum(registry.lookup(service, name) is not None for name in names)
    assert report.requests >= implemented * PER_OPERATION // 2 + len(names) * 4
    assert report.statuses[400] > 0


def test_the_chunks_cover_every_operation_of_the_four_models():
    covered = {(service, name) for service, _, names in CHUNKS for name in names}
    assert len(covered) == sum(len(specs.service_model(s).operation_names) for s in specs.SERVICES) > 250


def test_fuzzing_reaches_handlers_with_real_identifiers(world):
    """The vocabulary makes valid inputs succeed: the fuzzer is exercising handlers, not just the validator."""
    load_all()
    report = fuzzing.fuzz_operations(world, "iam", ["GetUser", "GetRole", "ListAttachedUserPolicies"], 5)
    assert report.statuses[200] >= 3, report.statuses


def test_a_fresh_account_is_not_changed_by_failed_creates():
    """No populated state: the first App Runner/ECR/IAM create in an account (which may create service-linked
    roles or the region's state) must still be all-or-nothing when it fails."""
    fresh = build_world(populate=False)
    for service, names in {"apprunner": [n for n in specs.service_model("apprunner").operation_names
                                         if n.startswith(("Create", "Associate", "Start"))],
                           "ecr": ["CreateRepository", "PutImage", "SetRepositoryPolicy"],
                           "iam": ["CreateRole", "CreateServiceLinkedRole", "CreateUser", "CreatePolicy"]}.items():
        report = fuzzing.fuzz_operations(fresh, service, names, 20)
        assert not report.problems, _summary(report)


def test_known_bug_filter_only_hides_the_demonstrated_bug():
    operation = wire.model("apprunner").operation_model("TagResource")
    assert generate.known_bug(operation, {"Tags": [{"Value": "x"}]})
    assert generate.known_bug(operation, {"Tags": [{"Key": "k", "Value": "x"}]}) is None
