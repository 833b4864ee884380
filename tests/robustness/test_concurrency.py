"""Many clients at once on the same names: every answer is an AWS answer, the final state is consistent.

8 threads x 50 calls through the real HTTP server, mixing creates, deletes and reads of a handful of shared
names in IAM, ECR and App Runner.  Each create/delete that succeeds is counted per name; because the store
serializes mutations, what exists at the end must equal successful creates minus successful deletes, with no
duplicates anywhere.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable

from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.model import snapshot
from tests.harness import Harness
from tests.robustness.world import PUBLIC_SOURCE, allow, trust

THREADS = 8
CALLS = 50
DEADLINE = 30.0
USERS = [f"user-{i}" for i in range(3)]
REPOS = [f"repo-{i}" for i in range(3)]
SERVICES = [f"svc-{i}" for i in range(3)]
EXPECTED_CODES = {
    "EntityAlreadyExists", "NoSuchEntity", "DeleteConflict", "ConcurrentModification",
    "RepositoryAlreadyExistsException", "RepositoryNotFoundException", "RepositoryNotEmptyException",
    "InvalidRequestException", "ResourceNotFoundException", "InvalidStateException",
}


def test_concurrent_creates_deletes_and_reads_leave_a_consistent_state():
    harness = Harness("server", Settings(log_requests=False, operation_delay=0))
    try:
        _run(harness)
    finally:
        harness.close()


def _run(harness: Harness) -> None:
    policy = harness.client("iam").create_policy(PolicyName="shared", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    successes: Counter = Counter()
    unexpected: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + DEADLINE

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        iam, ecr, apprunner = harness.client("iam"), harness.client("ecr"), harness.client("apprunner")
        arns: dict[str, str] = {}

        def delete_service(name: str) -> None:
            for summary in apprunner.list_services()["ServiceSummaryList"]:
                if summary["ServiceName"] == name:
                    apprunner.delete_service(ServiceArn=summary["ServiceArn"])
                    return
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DeleteService")

        actions: list[tuple[str, Callable[[str], object], list[str]]] = [
            ("create_user", lambda n: iam.create_user(UserName=n), USERS),
            ("delete_user", lambda n: iam.delete_user(UserName=n), USERS),
            ("attach", lambda n: iam.attach_user_policy(UserName=n, PolicyArn=policy), USERS),
            ("detach", lambda n: iam.detach_user_policy(UserName=n, PolicyArn=policy), USERS),
            ("get_user", lambda n: iam.get_user(UserName=n), USERS),
            ("create_role", lambda n: iam.create_role(RoleName=n, AssumeRolePolicyDocument=trust("ec2.amazonaws.com")),
             USERS),
            ("delete_role", lambda n: iam.delete_role(RoleName=n), USERS),
            ("create_repo", lambda n: ecr.create_repository(repositoryName=n), REPOS),
            ("delete_repo", lambda n: ecr.delete_repository(repositoryName=n), REPOS),
            ("describe_repo", lambda n: ecr.describe_repositories(repositoryNames=[n]), REPOS),
            ("create_service", lambda n: apprunner.create_service(ServiceName=n, SourceConfiguration=PUBLIC_SOURCE),
             SERVICES),
            ("delete_service", delete_service, SERVICES),
            ("list_services", lambda n: apprunner.list_services(), SERVICES),
        ]
        for _ in range(CALLS):
            if time.monotonic() > stop_at:
                return
            action, call, names = rng.choice(actions)
            name = rng.choice(names)
            try:
                result = call(name)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code not in EXPECTED_CODES or status >= 500:
                    with lock:
                        unexpected.append(f"{action}({name}): {status} {code} {error}")
                continue
            except Exception as error:  # noqa: BLE001 - anything else is the finding
                with lock:
                    unexpected.append(f"{action}({name}): {error!r}")
                continue
            with lock:
                successes[(action, name)] += 1
            if action == "create_service":
                arns[name] = result["Service"]["ServiceArn"]

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE + 10)
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"
    assert not unexpected, "\n".join(unexpected[:20])
    assert sum(successes.values()) > THREADS * CALLS // 4, successes
    _check_consistency(harness, policy, successes)


def _check_consistency(harness: Harness, policy: str, successes: Counter) -> None:
    iam, ecr, apprunner = harness.client("iam"), harness.client("ecr"), harness.client("apprunner")
    users = [user["UserName"] for user in iam.list_users()["Users"]]
    roles = [role["RoleName"] for role in iam.list_roles()["Roles"] if role["RoleName"] in USERS]
    repos = [repo["repositoryName"] for repo in ecr.describe_repositories()["repositories"]]
    live = [s["ServiceName"] for s in apprunner.list_services()["ServiceSummaryList"] if s["Status"] != "DELETED"]
    for names in (users, roles, repos, live):
        assert len(names) == len(set(names)), names
    for name in USERS:
        assert (name in users) == (successes[("create_user", name)] - successes[("delete_user", name)] == 1)
        assert successes[("create_user", name)] - successes[("delete_user", name)] in (0, 1)
        assert (name in roles) == (successes[("create_role", name)] - successes[("delete_role", name)] == 1)
    for name in REPOS:
        assert (name in repos) == (successes[("create_repo", name)] - successes[("delete_repo", name)] == 1)
    for name in SERVICES:
        assert live.count(name) == successes[("create_service", name)] - successes[("delete_service", name)]
    attached = {entity["UserName"] for entity in iam.list_entities_for_policy(PolicyArn=policy)["PolicyUsers"]}
    assert attached <= set(users)
    assert iam.get_policy(PolicyArn=policy)["Policy"]["AttachmentCount"] == len(attached)
    for user in attached:
        names = [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]]
        assert names == [policy]
    document = snapshot.export_state(harness.store)
    json.dumps(document)  # the whole state is still plain, exportable data
    snapshot.import_state(harness.store, document)
