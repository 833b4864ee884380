"""IAM answers Prowler (``prowler aws --service iam ecr``, 5.46.0) read, found wrong by running it against a seeded
server (docs/behaviour.md, "Sweep: Prowler").  The first two tests failed before the fix; the last guards how the fix
keeps reports (a state file it writes must import again).

Prowler's ``iam_user_access_not_stale_to_bedrock``, ``iam_user_access_not_stale_to_sagemaker`` and
``iam_role_access_not_stale_to_bedrock`` read GetServiceLastAccessedDetails and report an identity whose list holds
the ``bedrock`` (or ``sagemaker``) namespace without a ``LastAuthenticated``: permissions never used.  The list holds
"each service that the resource could access using permissions policies" (IAM API reference,
GetServiceLastAccessedDetails), which for ``"Action": "*"`` is every AWS service, "sorted by service namespace".
"""
from __future__ import annotations

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _namespaces(iam, arn: str) -> list[str]:
    job_id = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    details = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1000)  # 200 a page without MaxItems
    assert details["JobStatus"] == "COMPLETED" and details["IsTruncated"] is False
    return [service["ServiceNamespace"] for service in details["ServicesLastAccessed"]]


def test_a_wildcard_action_lists_every_aws_service_in_service_last_accessed_data(aws):
    """An administrator (AdministratorAccess through a group, a customer policy of ``*``, an inline ``*:*``) could
    access every service: Bedrock and SageMaker are listed, never used, as Prowler's stale-access checks expect.
    Before, ``*`` stood only for the 18 namespaces mockrunner named, so those checks reported nothing."""
    iam = aws.client("iam")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    everything = iam.create_policy(PolicyName="everything", PolicyDocument=doc(allow("*")))["Policy"]["Arn"]
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName="deployer", PolicyArn=everything)
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="all", PolicyDocument=doc(allow("*:*")))
    for arn in (f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:group/admins",
                f"arn:aws:iam::{ACCOUNT}:role/deployer", f"arn:aws:iam::{ACCOUNT}:user/bob", everything):
        listed = _namespaces(iam, arn)
        assert {"bedrock", "sagemaker", "lambda", "s3", "ecr", "iam", "apprunner"} <= set(listed), arn
        assert len(listed) > 400, (arn, len(listed))
        assert listed == sorted(listed) and len(set(listed)) == len(listed)
    job_id = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:role/deployer")["JobId"]
    bedrock = next(service for service in iam.get_service_last_accessed_details(JobId=job_id)["ServicesLastAccessed"]
                   if service["ServiceNamespace"] == "bedrock")  # in the first page of 200
    assert bedrock["TotalAuthenticatedEntities"] == 0 and "LastAuthenticated" not in bedrock
    # A wildcard within a namespace still names only the namespaces it matches.
    iam.create_user(UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=doc(allow(["sagemaker*:List*", "ecr:Get*"])))
    listed = _namespaces(iam, f"arn:aws:iam::{ACCOUNT}:user/carol")
    assert listed[0] == "ecr" and "sagemaker" in listed and all(name.startswith("sagemaker") for name in listed[1:])
    assert "bedrock" not in listed


def test_a_wildcard_report_keeps_its_used_services_and_survives_a_state_export(aws):
    """The services no entity used are kept by name only (hundreds of them for ``*``); the report reads the same
    after a state export and import, and a used service keeps its last use."""
    iam = aws.client("iam")
    key = user_with_key(aws, "dana", inline={"all": doc(allow("*"))})
    aws.client_for(key, "ecr").describe_repositories()
    arn = f"arn:aws:iam::{ACCOUNT}:user/dana"
    job_id = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    before = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1000)["ServicesLastAccessed"]
    used = [service for service in before if "LastAuthenticated" in service]
    assert [service["ServiceNamespace"] for service in used] == ["ecr"]
    assert used[0]["LastAuthenticatedEntity"] == arn and used[0]["TotalAuthenticatedEntities"] == 1
    assert [s["ServiceNamespace"] for s in before] == sorted(s["ServiceNamespace"] for s in before)
    assert len(before) > 400
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    snapshot.import_state(aws.store, exported)
    assert iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1000)["ServicesLastAccessed"] == before
    paged = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=100)
    assert paged["IsTruncated"] is True and paged["ServicesLastAccessed"] == before[:100]


def test_a_report_naming_a_namespace_iam_accepted_survives_a_state_export(aws):
    """A policy IAM stored may name a namespace no service has (``foo.bar:Get`` is accepted): the report lists only
    the services IAM knows, as recorded from AWS since, and the state it is saved in imports again:
    (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")."""
    iam = aws.client("iam")
    iam.create_user(UserName="erin")
    iam.put_user_policy(UserName="erin", PolicyName="odd", PolicyDocument=doc(allow(["foo.bar:Get", "ecr:List*"])))
    arn = f"arn:aws:iam::{ACCOUNT}:user/erin"
    job_id = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    before = iam.get_service_last_accessed_details(JobId=job_id)["ServicesLastAccessed"]
    assert [service["ServiceNamespace"] for service in before] == ["ecr"]
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    snapshot.import_state(aws.store, exported)
    assert iam.get_service_last_accessed_details(JobId=job_id)["ServicesLastAccessed"] == before
