"""Requests for any operation, built from its input shape: a plausible valid input, then one mutation of it.

:func:`valid` fills required members (and some optional ones) with real identifiers from the populated world
where the member name is known (``UserName`` -> ``alice``), else with values that satisfy the shape's enum,
length and pattern.  :data:`MUTATIONS` each break that input one way; every case is a (name, body) pair the
fuzzer sends.  Randomness comes from a ``random.Random`` seeded per operation, so runs are reproducible.
"""
from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, Shape

from mockrunner.protocol.patterns import compile_pattern
from tests.robustness import wire
from tests.robustness.world import ACCOUNT, OTHER_ACCOUNT

Path = tuple  # keys / list indexes from the top of the input
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ANY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]})
_CANDIDATES = ["fuzz", "fuzz-1", "a", "1", "fuzz.example.com", "sha256:" + "a" * 64, "subnet-1", "us-east-1",
               f"arn:aws:iam::{ACCOUNT}:user/alice", "/", "/fuzz/", "aB3", "12345678"]

BAD_ARNS = [
    "", "arn", "arn:", "arn:aws", "arn:aws:apprunner", f"arn:aws:apprunner:us-east-1:{ACCOUNT}",
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service", f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/",
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/running",
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/running/" + "0" * 32,
    f"arn:aws:apprunner:us-east-1:{OTHER_ACCOUNT}:service/running/" + "0" * 32,
    f"arn:aws:apprunner:eu-west-1:{ACCOUNT}:service/running/" + "0" * 32,
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:autoscalingconfiguration/scale/999999999999999999999/" + "0" * 32,
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:autoscalingconfiguration/scale/-1/x",
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:autoscalingconfiguration/scale",
    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:connection/github", f"arn:aws:apprunner:us-east-1:{ACCOUNT}:x/y/z",
    "arn:aws:s3:::bucket/key", f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{OTHER_ACCOUNT}:role/x",
    "arn:aws:iam::aws:policy/AdministratorAccess", f"arn:aws:iam::{ACCOUNT}:policy/", f"arn:aws:iam::{ACCOUNT}:",
    f"arn:aws:iam::{ACCOUNT}:role/../../root", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web",
    f"arn:aws-cn:iam::{ACCOUNT}:role/access", "arn:::::", ":::::", "*", "arn:aws:iam::*:role/*",
    f"arn:aws:iam::{ACCOUNT}:role/" + "a" * 3000, "arn:aws:iam::12345678901x:role/access",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/assumable/fuzz", "not-an-arn", "arn:aws:apprunner:us-east-1::service/a/b",
]
BAD_POLICIES = [
    "", " ", "{", "}", "null", "[]", "1", '"text"', "{}", "true", '{"Version":"2012-10-17"}', '{"Statement":[]}',
    '{"Version":"2012-10-17","Statement":{}}', '{"Version":"1999-01-01","Statement":[]}',
    '{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}', '{"Statement":[{"Effect":"Allow"}]}',
    '{"Statement":[{"Effect":"Allow","Action":1,"Resource":"*"}]}',
    '{"Statement":[{"Effect":"Allow","Action":[],"Resource":[]}]}',
    '{"Statement":[{"Effect":"Allow","Action":[null],"Resource":[{}]}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bogus":{"a":"b"}}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{}}}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"nonsense"}}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"999.1/99"}}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k":"abc"}}}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"AWS":"arn:bad"},"Resource":"*"}]}',
    '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"x"}]}',
    '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":[1,2]}}]}',
    '{"Statement":[{"Effect":"Allow","NotAction":"*","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Sid":"\\u0000","Effect":"Allow","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}],"Id":{"x":1}}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*:*","Resource":"arn:::::::"}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}],'
    '"Statement":[]}',
    "\ufeff" + ALLOW_ALL, ALLOW_ALL.replace('"*"}', '"*"', 1), '{"a":' * 3000 + "1" + "}" * 3000,
    "[" * 100000, "x" * 200000, json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": f"s3:Get{i}", "Resource": "*"} for i in range(3000)]}),
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":'
    '{"ForAnyValue:StringLike":{"aws:TagKeys":["' + "*" * 500 + 'a"]}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"${aws:username}${"}]}',
]
HOSTILE_STRINGS = ["\x00", "a\x00b", "\u202eevil", "名前", "😀" * 10, "\ud800", "a\udfffb", "\r\n\t", "%00", "%ZZ",
                   "' OR 1=1 --", "../../etc/passwd", "<x>&amp;</x>", "]]>", "${aws:username}", "\\", '"', "\x7f\x1b",
                   " leading", "trailing ", "\u00a0", "\ufffe", "a" * 70000]
WRONG_TYPES = [123, -1, 1.5, "text", "", True, False, [1, "a"], [], {"a": 1}, {}, None,
               float("nan"), float("inf"), 10 ** 40, [[[[]]]], {"__type": "x"}]
BAD_NUMBERS = [-1, 0, -(2 ** 63) - 1, 2 ** 31, 2 ** 63, 10 ** 30, 1.5, -0.0, 1e308, float("nan"), float("-inf")]
RAW_JSON_BODIES = [b"{", b"[]", b"null", b'"s"', b"1", b"\xff\xfe\x00", b"[" * 100000, b'{"a":' * 100000,
                   b"{}" * 3, b'{"x":NaN}', b'{"x":1e999999}', b'{"x":' + b"9" * 5000 + b"}", b"\x00",
                   b'{"\xed\xa0\x80":1}', "{\"a\":\"\ud800\"}".encode("utf-8", "surrogatepass")]
RAW_QUERY_SUFFIXES = [b"&%ZZ=1", b"&&&==&", b"&\xff\xfe=\xff", b"&Tags.member.1000000.Key=a", b"&" + b"a=b&" * 20000,
                      b"&.=.&..=..&member.1=x", b"&MaxItems=1e5&Marker=%00", b"&Path=%ED%A0%80",
                      b"&Tags.member.1.Key.member.1=x&Tags.entry.1.key=y"]


ALWAYS_COMPLETE = frozenset({"Tag"})
"""Shapes every real client fills completely (App Runner's ``Tag`` has no required members, yet SDKs and the
console always send ``Key`` and ``Value``), so valid inputs reach the handler instead of a tag error."""


def known_bug(operation: OperationModel, params: Any) -> str | None:
    """Inputs that hit a bug already demonstrated by a dedicated failing test (so the fuzzer can look further).

    Remove an entry when its bug is fixed; the dedicated test names the file and line.
    """
    if operation.service_model.service_name == "apprunner" and isinstance(params, dict):
        tags = params.get("Tags")
        if isinstance(tags, list) and any(isinstance(tag, dict) and not isinstance(tag.get("Key"), str)
                                          for tag in tags):
            return "App Runner tag without a Key: test_bugs.py::test_apprunner_tag_without_key_is_a_400"
    return None


def _lower(name: str) -> str:
    return name.lower()


def is_arnish(name: str, value: Any) -> bool:
    return _lower(name).endswith("arn") or _lower(name).endswith("arns") or (
        isinstance(value, str) and value.startswith("arn:"))


def is_policy_member(name: str, shape: Shape) -> bool:
    lowered = _lower(name)
    return shape.type_name == "string" and (
        "policydocument" in lowered or lowered in ("policy", "policytext", "lifecyclepolicytext", "policyinputlist")
        or lowered.endswith("policytext"))


class Generator:
    """Valid-ish values for shapes, from the world's vocabulary and the shapes' own constraints."""

    def __init__(self, rng: random.Random, vocabulary: dict[str, list[Any]]) -> None:
        self.rng = rng
        self.vocabulary = vocabulary

    def value(self, shape: Shape, name: str, depth: int = 0) -> Any:
        known = self.vocabulary.get(name)
        if known:
            return copy.deepcopy(self.rng.choice(known))
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, depth)
        if kind == "list":
            low = shape.metadata.get("min", 0)
            count = min(max(low, 1), 3)
            return [self.value(shape.member, name, depth + 1) for _ in range(count)]
        if kind == "map":
            return {self.value(shape.key, "key", depth + 1): self.value(shape.value, "value", depth + 1)}
        if kind == "string":
            return self.string(shape, name)
        if kind in ("integer", "long"):
            low, high = shape.metadata.get("min", 1), shape.metadata.get("max", 100)
            return self.rng.randint(int(low), int(max(low, min(high, low + 100))))
        if kind in ("float", "double"):
            return float(shape.metadata.get("min", 1))
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return datetime.now(UTC)
        if kind == "blob":
            return b"fuzz"
        return None

    def structure(self, shape: Shape, depth: int) -> dict:
        required = set(shape.required_members)
        if shape.name in ALWAYS_COMPLETE:
            required = set(shape.members)
        members = list(shape.members.items())
        if getattr(shape, "is_tagged_union", False):
            members = [self.rng.choice(members)]
            required = {members[0][0]}
        out = {}
        for name, member in members:
            if name in required or (depth < 4 and self.rng.random() < 0.4):
                out[name] = self.value(member, name, depth + 1)
        return out

    def string(self, shape: Shape, name: str) -> str:
        if is_policy_member(name, shape):
            return TRUST_ANY if "assumerole" in _lower(name) else ALLOW_ALL
        enum = shape.metadata.get("enum")
        if enum:
            return self.rng.choice(enum)
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 10 ** 9)
        pattern = shape.metadata.get("pattern")
        compiled = compile_pattern(pattern) if pattern else None
        for candidate in _CANDIDATES:
            if low <= len(candidate) <= high and (compiled is None or compiled.fullmatch(candidate)):
                return candidate
        return ("fuzz" * (low // 4 + 1))[: max(low, 1)]


# --------------------------------------------------------------------------------------------- walking values
def paths(shape: Shape, value: Any, path: Path = ()) -> Iterator[tuple[Path, Shape, str]]:
    """Every (path, shape, member name) inside a well-typed ``value``, parents before children."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None:
                yield (*path, name), member, name
                yield from paths(member, item, (*path, name))
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index), shape.member, str(path[-1]) if path else ""
            yield from paths(shape.member, item, (*path, index))
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), shape.value, str(key)
            yield from paths(shape.value, item, (*path, key))


def replace(value: Any, path: Path, new: Any) -> Any:
    """A deep copy of ``value`` with the item at ``path`` replaced (or removed when ``new`` is ``_DROP``)."""
    result = copy.deepcopy(value)
    target = result
    for key in path[:-1]:
        target = target[key]
    if new is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return result


_DROP = object()
Case = tuple[str, Any]  # (description, params) or (description, bytes) for raw bodies
Mutation = Callable[[random.Random, Shape, dict, list], Case | None]


def _pick(rng: random.Random, items: list, test: Callable[[Any], bool]) -> Any:
    chosen = [item for item in items if test(item)]
    return rng.choice(chosen) if chosen else None


def m_drop_required(rng, shape, params, found) -> Case | None:
    required = [(p, s, n) for p, s, n in found if isinstance(p[-1], str) and _is_required(shape, p)]
    if not required:
        return ("drop all members", {}) if shape.required_members else None
    path, _, _ = rng.choice(required)
    return f"drop required {'.'.join(map(str, path))}", replace(params, path, _DROP)


def _is_required(top: Shape, path: Path) -> bool:
    shape = top
    for key in path[:-1]:
        shape = {"structure": lambda s, k: s.members[k], "list": lambda s, k: s.member,
                 "map": lambda s, k: s.value}[shape.type_name](shape, key)
    return shape.type_name == "structure" and path[-1] in shape.required_members


def m_wrong_type(rng, shape, params, found) -> Case | None:
    if not found:
        return "top-level members of every wrong type", {name: rng.choice(WRONG_TYPES) for name in shape.members}
    path, _, _ = rng.choice(found)
    junk = rng.choice(WRONG_TYPES)
    return f"wrong type {junk!r:.30} at {'.'.join(map(str, path))}", replace(params, path, junk)


def m_bad_number(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name in ("integer", "long", "float", "double"))
    if item is None:
        numeric = [n for n, s in shape.members.items() if s.type_name in ("integer", "long")]
        if not numeric:
            return None
        name = rng.choice(numeric)
        return f"bad number at {name}", {**params, name: rng.choice(BAD_NUMBERS)}
    number = rng.choice(BAD_NUMBERS)
    return f"bad number {number!r} at {'.'.join(map(str, item[0]))}", replace(params, item[0], number)


def m_too_long(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name == "string")
    if item is None:
        return None
    high = item[1].metadata.get("max")
    text = "a" * (high + 1) if high and rng.random() < 0.5 else "x" * 100_000
    return f"string of {len(text)} at {'.'.join(map(str, item[0]))}", replace(params, item[0], text)


def m_bad_enum(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: bool(f[1].metadata.get("enum")))
    if item is None:
        return None
    value = rng.choice(["NOT_A_VALUE", str(item[1].metadata["enum"][0]).lower(), "", " " + item[1].metadata["enum"][0]])
    return f"bad enum {value!r} at {'.'.join(map(str, item[0]))}", replace(params, item[0], value)


def m_bad_arn(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name == "string" and is_arnish(f[2], _get(params, f[0])))
    if item is None:
        return None
    current = _get(params, item[0])
    choices = list(BAD_ARNS)
    if isinstance(current, str) and current.startswith("arn:"):
        cut = rng.randrange(1, len(current))
        choices += [current[:cut], current.replace(ACCOUNT, OTHER_ACCOUNT), current + "/extra",
                    current.replace("us-east-1", "eu-west-1"), current.replace(":", "::", 1), current.upper()]
    arn = rng.choice(choices)
    return f"bad ARN {arn[:60]!r} at {'.'.join(map(str, item[0]))}", replace(params, item[0], arn)


def m_bad_policy(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: is_policy_member(f[2], f[1]))
    if item is None:
        return None
    policy = rng.choice(BAD_POLICIES)
    return f"bad policy {policy[:40]!r} at {'.'.join(map(str, item[0]))}", replace(params, item[0], policy)


def m_huge_list(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name == "list")
    if item is None:
        return None
    current = _get(params, item[0]) or ["x"]
    count = rng.choice([1001, 5000])
    return f"list of {count} at {'.'.join(map(str, item[0]))}", replace(params, item[0], (current * count)[:count])


def m_hostile_string(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name == "string")
    if item is None:
        return None
    text = rng.choice(HOSTILE_STRINGS)
    current = _get(params, item[0])
    if rng.random() < 0.5 and isinstance(current, str):
        text = current + text
    return f"hostile string {text[:20]!r} at {'.'.join(map(str, item[0]))}", replace(params, item[0], text)


def m_empty(rng, shape, params, found) -> Case | None:
    item = _pick(rng, found, lambda f: f[1].type_name in ("string", "list", "map", "structure"))
    if item is None:
        return None
    empty = {"string": "", "list": [], "map": {}, "structure": {}}[item[1].type_name]
    return f"empty {item[1].type_name} at {'.'.join(map(str, item[0]))}", replace(params, item[0], empty)


def m_unknown_and_null(rng, shape, params, found) -> Case | None:
    extra = {"Bogus": 1, "__proto__": {"x": 1}, "": None}
    if shape.members:
        extra[rng.choice(list(shape.members))] = None
    return "unknown members and nulls", {**params, **extra}


MUTATIONS: list[Mutation] = [m_drop_required, m_wrong_type, m_bad_number, m_too_long, m_bad_enum, m_bad_arn,
                             m_bad_policy, m_huge_list, m_hostile_string, m_empty, m_unknown_and_null]


def _get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def cases(operation: OperationModel, vocabulary: dict[str, list[Any]], count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` (description, wire body) cases for ``operation``: valid inputs, then mutations, then raw bodies.

    Mutations that find nothing to mutate (no enum member, say) are skipped, so the same seed gives the same
    cases on every run.  Raw-body cases (broken JSON, broken form encoding) come on top of ``count``.
    """
    rng = random.Random(f"{operation.service_model.service_name}.{operation.name}")
    generator = Generator(rng, vocabulary)
    shape = operation.input_shape
    if shape is None:
        yield "no input", wire.encode(operation, {})
        return
    valid = generator.structure(shape, 0)
    if known_bug(operation, valid) is None:
        yield "valid", wire.encode(operation, valid)
    produced = 1
    attempts = 0
    while produced < count and attempts < count * 4:
        attempts += 1
        params = generator.structure(shape, 0)
        found = list(paths(shape, params))
        mutation = MUTATIONS[attempts % len(MUTATIONS)]
        case = mutation(rng, shape, params, found)
        if case is None or known_bug(operation, case[1]) is not None:
            continue
        produced += 1
        yield case[0], wire.encode(operation, case[1])
    yield from raw_cases(operation, rng)


def raw_cases(operation: OperationModel, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    if operation.service_model.protocol == "json":
        for body in rng.sample(RAW_JSON_BODIES, 4):
            yield f"raw body {body[:20]!r}", body
        return
    base = f"Action={operation.name}&Version={operation.service_model.api_version}".encode()
    for suffix in rng.sample(RAW_QUERY_SUFFIXES, 3):
        yield f"raw form {suffix[:30]!r}", base + suffix
