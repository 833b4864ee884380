"""Credential report, service last accessed, access key / role last used, computed from the requests served."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key
from tests.iam.keys_and_codes import current_step, totp

COLUMNS = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
           "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
           "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
           "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,"
           "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated")


def test_credential_report_lifecycle_and_columns(aws):
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ReportNotPresent", 410)
    key = user_with_key(aws, "alice", inline={"p": doc(allow("iam:GetUser"))})
    aws.client_for(key, "iam", region="eu-west-1").get_user()
    iam.create_user(UserName="bob")
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv" and report["GeneratedTime"]
    text = report["Content"].decode()
    assert text.splitlines()[0] == COLUMNS
    rows = {row["user"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == ["<root_account>", "alice", "bob"]
    assert rows["<root_account>"]["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    alice = rows["alice"]
    assert alice["access_key_1_active"] == "true" and alice["access_key_1_last_used_service"] == "iam"
    assert alice["access_key_1_last_used_region"] == "eu-west-1" and alice["access_key_1_last_used_date"] != "N/A"
    assert alice["access_key_2_active"] == "false" and alice["access_key_2_last_rotated"] == "N/A"
    assert rows["bob"]["access_key_1_active"] == "false" and rows["bob"]["access_key_1_last_used_date"] == "N/A"
    aws.store.clock.advance(4 * 3600)
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert aws_error(excinfo)[::2] == ("ReportExpired", 410)
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.get_credential_report()["Content"]


def test_the_root_user_was_created_with_its_account(aws):
    """GetUser without a name (the root) and the credential report's <root_account> row give the account's creation
    time, the same on every call and however the clock moves (it was "now", different on each call)."""
    iam = aws.client("iam")
    created = iam.get_user()["User"]["CreateDate"]
    aws.store.clock.advance(3600)
    assert iam.get_user()["User"]["CreateDate"] == created
    iam.create_user(UserName="later")
    iam.generate_credential_report()
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    root = next(row for row in rows if row["user"] == "<root_account>")
    assert datetime.fromisoformat(root["user_creation_time"]) == created.replace(microsecond=0)


def test_credential_report_password_and_mfa_columns(aws):
    iam = aws.client("iam")
    iam.update_account_password_policy(MaxPasswordAge=90)
    for name in ("carol", "dave", "erin"):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="carol", Password="Passw0rd!-long")
    iam.create_login_profile(UserName="dave", Password="Passw0rd!-long")
    aws.store.clock.advance(3600)
    iam.update_login_profile(UserName="dave", Password="An0ther-Passw0rd!")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="erin")["VirtualMFADevice"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName="erin", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], now - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], now))
    iam.generate_credential_report()
    rows = {row["user"]: row for row in csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode()))}
    carol, dave, erin = rows["carol"], rows["dave"], rows["erin"]
    assert (carol["password_enabled"], carol["password_last_used"]) == ("true", "no_information")
    assert carol["password_last_changed"] < dave["password_last_changed"]
    rotation = datetime.fromisoformat(dave["password_next_rotation"]) - datetime.fromisoformat(
        dave["password_last_changed"])
    assert rotation == timedelta(days=90)
    assert (erin["password_enabled"], erin["password_last_changed"], erin["password_next_rotation"]) == (
        "false", "N/A", "N/A")
    assert (carol["mfa_active"], erin["mfa_active"]) == ("false", "true")


def test_access_key_and_role_last_used_come_from_real_requests(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "user1", inline={"p": doc(allow(["sts:AssumeRole", "iam:GetUser"]))})
    iam.create_policy(PolicyName="ecr-read", PolicyDocument=doc(allow("ecr:DescribeRepositories")))
    unused = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert unused == {"ServiceName": "N/A", "Region": "N/A"}
    aws.client_for(key, "iam").get_user()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["ServiceName"] == "iam" and used["Region"] == "us-east-1" and used["LastUsedDate"]
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName="worker", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/ecr-read")
    assert iam.get_role(RoleName="worker")["Role"]["RoleLastUsed"] == {}
    session = aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker",
                                                     RoleSessionName="job")["Credentials"]
    ecr = aws.client_for(session, "ecr", region="eu-central-1")
    with pytest.raises(ClientError):
        ecr.list_images(repositoryName="none")  # refused: not a use
    assert iam.get_role(RoleName="worker")["Role"]["RoleLastUsed"] == {}
    ecr.describe_repositories()
    last = iam.get_role(RoleName="worker")["Role"]["RoleLastUsed"]
    assert last["Region"] == "eu-central-1" and last["LastUsedDate"]


def test_service_last_accessed_for_users_groups_roles_and_policies(aws):
    iam = aws.client("iam")
    policy_arn = iam.create_policy(PolicyName="ecr-read", PolicyDocument=doc(
        allow(["ecr:DescribeRepositories", "ecr:ListImages"]), allow("s3:GetObject")))["Policy"]["Arn"]
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=policy_arn)
    key = user_with_key(aws, "carol")
    iam.add_user_to_group(GroupName="readers", UserName="carol")
    aws.client_for(key, "ecr", region="us-west-2").describe_repositories()
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/carol"
    for target in (user_arn, f"arn:aws:iam::{ACCOUNT}:group/readers", policy_arn):
        job_id = iam.generate_service_last_accessed_details(Arn=target)["JobId"]
        details = iam.get_service_last_accessed_details(JobId=job_id)
        assert details["JobStatus"] == "COMPLETED" and details["JobType"] == "SERVICE_LEVEL"
        services = {item["ServiceNamespace"]: item for item in details["ServicesLastAccessed"]}
        assert set(services) == {"ecr", "s3"}, target
        assert services["ecr"]["LastAuthenticatedEntity"] == user_arn
        assert services["ecr"]["LastAuthenticatedRegion"] == "us-west-2"
        assert services["ecr"]["TotalAuthenticatedEntities"] == 1
        assert services["ecr"]["ServiceName"] == "Amazon Elastic Container Registry"
        assert "LastAuthenticated" not in services["s3"] and services["s3"]["TotalAuthenticatedEntities"] == 0
        entities = iam.get_service_last_accessed_details_with_entities(JobId=job_id, ServiceNamespace="ecr")
        assert [(e["EntityInfo"]["Arn"], e["EntityInfo"]["Type"]) for e in entities["EntityDetailsList"]] == [
            (user_arn, "USER")]
    granting = iam.list_policies_granting_service_access(Arn=user_arn, ServiceNamespaces=["ecr", "sqs"])[
        "PoliciesGrantingServiceAccess"]
    assert granting[0]["ServiceNamespace"] == "ecr"
    assert [p["PolicyArn"] for p in granting[0]["Policies"]] == [policy_arn] and granting[1]["Policies"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/ghost")
    assert aws_error(excinfo)[::2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_last_accessed_details(JobId="00000000-0000-0000-0000-000000000000")
    assert aws_error(excinfo)[::2] == ("NoSuchEntity", 404)


def test_a_last_accessed_job_is_read_only_by_the_identity_that_generated_it(aws):
    """"The JobId returned by GenerateServiceLastAccessedDetail must be used by the same role within a session, or
    by the same user" (GetServiceLastAccessedDetails API reference); to anyone else the job is unknown."""
    iam = aws.client("iam")
    reader = doc(allow(["iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails*",
                        "sts:AssumeRole"]))
    erin, frank = user_with_key(aws, "erin", inline={"p": reader}), user_with_key(aws, "frank", inline={"p": reader})
    target = f"arn:aws:iam::{ACCOUNT}:user/erin"
    job_id = aws.client_for(erin, "iam").generate_service_last_accessed_details(Arn=target)["JobId"]
    assert aws.client_for(erin, "iam").get_service_last_accessed_details(JobId=job_id)["JobStatus"] == "COMPLETED"
    for other in (aws.client_for(frank, "iam"), iam):
        for read in (lambda client: client.get_service_last_accessed_details(JobId=job_id),
                     lambda client: client.get_service_last_accessed_details_with_entities(
                         JobId=job_id, ServiceNamespace="iam")):
            with pytest.raises(ClientError) as excinfo:
                read(other)
            assert aws_error(excinfo) == ("NoSuchEntity", f"Job {job_id} does not exist.", 404)
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="auditor", PolicyName="p", PolicyDocument=reader)
    sts = aws.client_for(erin, "sts")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/auditor"
    first = sts.assume_role(RoleArn=role_arn, RoleSessionName="one")["Credentials"]
    second = sts.assume_role(RoleArn=role_arn, RoleSessionName="two")["Credentials"]
    role_job = aws.client_for(first, "iam").generate_service_last_accessed_details(Arn=target)["JobId"]
    assert aws.client_for(first, "iam").get_service_last_accessed_details(JobId=role_job)["JobStatus"] == "COMPLETED"
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(second, "iam").get_service_last_accessed_details(JobId=role_job)
    assert aws_error(excinfo)[::2] == ("NoSuchEntity", 404)


def test_a_last_accessed_target_carries_the_tags_of_the_entity_its_arn_names_exactly(aws):
    """GenerateServiceLastAccessedDetails is authorized on the ARN given, with the tags of the user it names: a
    namesake at another path is not named, so its tags do not satisfy an ``aws:ResourceTag`` condition."""
    aws.client("iam").create_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
    blue_only = doc(allow("iam:GenerateServiceLastAccessedDetails",
                          Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
    auditor = aws.client_for(user_with_key(aws, "auditor", inline={"p": blue_only}), "iam")
    assert auditor.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/alice")["JobId"]
    with pytest.raises(ClientError) as excinfo:
        auditor.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/elsewhere/alice")
    assert aws_error(excinfo)[::2] == ("AccessDenied", 403)


def test_last_used_and_jobs_survive_state_export_and_import(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "dave", inline={"p": doc(allow("iam:GetUser"))})
    aws.client_for(key, "iam").get_user()
    job_id = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/dave")["JobId"]
    iam.generate_credential_report()
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    snapshot.import_state(aws.store, exported)
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["ServiceName"] == "iam"
    assert iam.get_service_last_accessed_details(JobId=job_id)["ServicesLastAccessed"][0]["ServiceNamespace"] == "iam"
    assert "dave" in iam.get_credential_report()["Content"].decode()


def test_last_used_records_have_a_minute_resolution(aws):
    key = user_with_key(aws, "reader", inline={"p": doc(allow("iam:GetUser"))})
    iam = aws.client("iam")
    reader = aws.client_for(key, "iam")
    reader.get_user()
    first = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["LastUsedDate"]
    aws.store.clock.advance(30)
    reader.get_user()
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["LastUsedDate"] == first
    aws.store.clock.advance(31)
    reader.get_user()
    later = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["LastUsedDate"]
    assert (later - first).total_seconds() >= 60


def test_last_used_records_are_saved_before_the_answer(tmp_path):
    """A read that changes a last-used record is saved like a mutation: a restart keeps it."""
    import boto3

    from mockrunner.app import create_app
    from mockrunner.config import Settings
    from mockrunner.testing.server import ThreadedServer

    def start():
        server = ThreadedServer(app=create_app(Settings(log_requests=False, state_file=str(tmp_path / "s")))).start()
        return server, boto3.client("iam", region_name="us-east-1", endpoint_url=server.endpoint_url,
                                    aws_access_key_id="test", aws_secret_access_key="test")

    server, iam = start()
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    boto3.client("iam", region_name="eu-west-1", endpoint_url=server.endpoint_url,
                 aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]).get_user()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    server.stop()
    server, iam = start()
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"] == used
    assert used["Region"] == "eu-west-1" and used["ServiceName"] == "iam"
    server.stop()


def test_last_use_times_read_as_iam_reports_them(aws):
    """An access key's and a service's last use to the minute, a role's to the second (the AWS CLI reference's
    examples, 2015-06-16T22:45:00Z and 2019-09-30T23:02:00Z; Cloud Custodian's recordings of real IAM; published
    get-role outputs such as 2022-02-13T20:05:35+00:00)."""
    aws.store.clock.advance(17.25)  # a time with seconds and a fraction
    key = user_with_key(aws, "auditor", inline={"p": doc(allow("iam:*"), allow("sts:AssumeRole"))})
    iam = aws.client("iam")
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/auditor"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="deployer", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/auditor"
    aws.store.clock.advance(13.5)
    auditor = aws.client_for(key, "iam")
    auditor.get_user()
    session = aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer",
                                                     RoleSessionName="ci")["Credentials"]
    aws.client_for({"AccessKeyId": session["AccessKeyId"], "SecretAccessKey": session["SecretAccessKey"],
                    "SessionToken": session["SessionToken"]}, "iam").get_user(UserName="auditor")

    key_used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["LastUsedDate"]
    assert (key_used.second, key_used.microsecond) == (0, 0)
    role_used = iam.get_role(RoleName="deployer")["Role"]["RoleLastUsed"]["LastUsedDate"]
    recorded = max(when for when, _ in aws.store.account(ACCOUNT).iam.last_used[
        f"arn:aws:iam::{ACCOUNT}:role/deployer"].values())
    assert role_used == recorded.replace(microsecond=0)  # the second kept, the fraction dropped
    job = auditor.generate_service_last_accessed_details(Arn=user_arn)["JobId"]
    services = {item["ServiceNamespace"]: item for item in
                auditor.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"]}
    assert (services["iam"]["LastAuthenticated"].second, services["iam"]["LastAuthenticated"].microsecond) == (0, 0)
    entities = auditor.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
    assert all(entity["LastAuthenticated"].second == 0 for entity in entities["EntityDetailsList"])
    iam.generate_credential_report()
    report = iam.get_credential_report()["Content"].decode().splitlines()
    header, row = report[0].split(","), next(line for line in report if line.startswith("auditor,")).split(",")
    assert row[header.index("access_key_1_last_used_date")].endswith(":00+00:00")


def test_credential_report_quotes_a_user_name_with_a_comma(aws):
    """IAM allows ``,`` in user names; the report quotes such a field (RFC 4180), so a CSV reader keeps every row's
    22 columns, and leaves other names bare (docs/behaviour.md, "Sweep: ScoutSuite": ScoutSuite's ``split(',')``
    misreads the quoted row; AWS's own quoting is unverified)."""
    iam = aws.client("iam")
    for name, path in (("svc,build", "/"), ("ann@example.com", "/people/eu/"), ("x+y=z.w-v_", "/")):
        iam.create_user(UserName=name, Path=path)
    iam.create_access_key(UserName="svc,build")
    iam.generate_credential_report()
    content = iam.get_credential_report()["Content"].decode()
    lines = content.splitlines()
    assert lines[0] == COLUMNS
    assert any(line.startswith(f'"svc,build","arn:aws:iam::{ACCOUNT}:user/svc,build",') for line in lines)
    assert any(line.startswith(f"ann@example.com,arn:aws:iam::{ACCOUNT}:user/people/eu/ann@example.com,")
               for line in lines)
    rows = {row["user"]: row for row in csv.DictReader(io.StringIO(content))}
    assert set(rows) == {"<root_account>", "svc,build", "ann@example.com", "x+y=z.w-v_"}
    assert all(None not in row and len(row) == 22 for row in rows.values())
    assert rows["svc,build"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/svc,build"
    assert rows["svc,build"]["access_key_1_active"] == "true"
    assert rows["x+y=z.w-v_"]["access_key_1_active"] == "false"
