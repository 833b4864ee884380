"""An attacker's fifth pass: ARNs that name a resource in an unusual spelling, and what the earlier passes left out.
Real clients throughout: boto3 in both modes (``aws``), ``requests`` and raw sockets against a real server
(``server``).

Findings (each has a test here that failed before its fix):

* AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML found the role of a ``RoleArn`` in another
  partition (``arn:aws-cn:iam::<acct>:role/admin``), with a region (``arn:aws:iam:us-east-1:<acct>:role/admin``) or
  without the role's path, and authorized that spelling: a Deny on the role's real ARN did not match it, so an
  ``sts:AssumeRole`` on ``*`` assumed a role its policy denies.  Only the role's own ARN names it now.
* A layer upload outlived its repository: after DeleteRepository and a CreateRepository of the same name, the old
  upload's bytes completed into the new repository (and counted against its 1,000 uploads).  An upload now
  belongs to the repository that started it (its place and creation time), not to its name.

Probes that were sound (pinned below):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
JSON nested thousands deep in every JSON-text parameter    the parameter's own 400 (MalformedPolicyDocument,
(policies, repository/registry/lifecycle policies, image   InvalidParameterException, "NextToken ... isn't valid"),
manifests, App Runner NextToken, admin bodies)             never a RecursionError 500
8 concurrent PATCHes, then 4 concurrent closing PUTs       every PATCH lands (size is their sum); one 400 for the
with a wrong digest, on one registry upload                wrong digest, then 404: the upload is gone
=========================================================  ==========================================================
"""
from __future__ import annotations

import base64
import hashlib
import threading

import pytest
import requests

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key
from tests.registry.images import Registry, login_password

DENIED = {"AccessDenied", "AccessDeniedException"}


# ------------------------------------------------------------------------------------------------ role ARNs
@pytest.mark.parametrize("path, spelling", [
    ("/", f"arn:aws-cn:iam::{ACCOUNT}:role/admin"),
    ("/", f"arn:aws-us-gov:iam::{ACCOUNT}:role/admin"),
    ("/", f"arn:aws:iam:us-east-1:{ACCOUNT}:role/admin"),
    ("/ops/", f"arn:aws:iam::{ACCOUNT}:role/admin"),
    ("/ops/", f"arn:aws:iam::{ACCOUNT}:role/other/admin"),
])
def test_a_role_is_assumed_only_by_its_own_arn(aws, path, spelling):
    """A Deny on the role's ARN cannot be sidestepped by naming the role in another spelling."""
    iam = aws.client("iam")
    admin_arn = iam.create_role(RoleName="admin", Path=path, AssumeRolePolicyDocument=trust(
        f"arn:aws:iam::{ACCOUNT}:root"))["Role"]["Arn"]
    key = user_with_key(aws, "eve", inline={"p": doc(allow("sts:AssumeRole"), {
        "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": admin_arn})})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert error_of(sts.assume_role, RoleArn=admin_arn, RoleSessionName="run-1")[0] in DENIED
    code, message, status = error_of(sts.assume_role, RoleArn=spelling, RoleSessionName="run-1")
    assert (code, status) == ("AccessDenied", 403) and spelling in message
    # Without the Deny the role's own ARN is what assumes it.
    iam.delete_user_policy(UserName="eve", PolicyName="p")
    iam.put_user_policy(UserName="eve", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    assert sts.assume_role(RoleArn=admin_arn, RoleSessionName="run-1")["AssumedRoleUser"]["Arn"].endswith(
        "assumed-role/admin/run-1")
    assert error_of(sts.assume_role, RoleArn=spelling, RoleSessionName="run-1")[0] == "AccessDenied"


# ------------------------------------------------------------------------------------------------ layer uploads
def test_a_layer_upload_dies_with_its_repository(aws):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    upload = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    data = b"a layer of the old repository"
    ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=0, partLastByte=len(data) - 1,
                          layerPartBlob=data)
    ecr.delete_repository(repositoryName="app", force=True)
    ecr.create_repository(repositoryName="app")
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert error_of(ecr.complete_layer_upload, repositoryName="app", uploadId=upload,
                    layerDigests=[digest])[0] == "UploadNotFoundException"
    assert error_of(ecr.upload_layer_part, repositoryName="app", uploadId=upload, partFirstByte=len(data),
                    partLastByte=len(data), layerPartBlob=b"x")[0] == "UploadNotFoundException"
    layers = ecr.batch_check_layer_availability(repositoryName="app", layerDigests=[digest])
    assert layers["layers"] == [{"layerDigest": digest, "layerAvailability": "UNAVAILABLE"}] and not layers["failures"]


# ------------------------------------------------------------------------------------------------ sound probes
DEEP = "[" * 3000 + "]" * 3000
DEEP_POLICY = '{"Version":"2012-10-17","Statement":' + DEEP + "}"


@pytest.mark.parametrize("service, call, kwargs, expected", [
    ("iam", "create_policy", {"PolicyName": "p", "PolicyDocument": DEEP_POLICY}, "MalformedPolicyDocument"),
    ("sts", "get_federation_token", {"Name": "feddy", "Policy": DEEP_POLICY[:2000]}, "MalformedPolicyDocument"),
    ("ecr", "set_repository_policy", {"repositoryName": "app", "policyText": DEEP_POLICY},
     "InvalidParameterException"),
    ("ecr", "put_lifecycle_policy", {"repositoryName": "app", "lifecyclePolicyText": DEEP},
     "InvalidParameterException"),
    ("ecr", "put_image", {"repositoryName": "app", "imageManifest": DEEP, "imageTag": "v1"},
     "InvalidParameterException"),
    ("apprunner", "list_services", {"NextToken": base64.urlsafe_b64encode(DEEP.encode()).decode()[:1000]},
     "InvalidRequestException"),
])
def test_json_nested_thousands_deep_is_the_parameter_s_own_400(aws, service, call, kwargs, expected):
    aws.client("ecr").create_repository(repositoryName="app")
    code, _, status = error_of(getattr(aws.client(service), call), **kwargs)
    assert (code, status) == (expected, 400)


def test_concurrent_appends_and_closes_of_one_upload_stay_consistent(server):
    server.client("ecr").create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(server.client("ecr")))
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    statuses: list[int] = []

    def call(method: str, path: str, data: bytes = b"") -> None:
        statuses.append(registry.call(method, path, data=data).status_code)

    def run(threads: list[threading.Thread]) -> list[int]:
        statuses.clear()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return sorted(statuses)

    chunk = 5 * 1024 * 1024  # ECR's smallest chunk but the last, answered 201 (dotnet/sdk-container-builds#279)
    patches = [threading.Thread(target=call, args=("PATCH", location, bytes([65 + i]) * chunk)) for i in range(8)]
    assert run(patches) == [201] * 8
    assert registry.call("GET", location).headers["Range"] == f"0-{8 * chunk - 1}"
    wrong = f"{location}?digest=sha256:{'0' * 64}"
    assert run([threading.Thread(target=call, args=("PUT", wrong)) for _ in range(4)]) == [400, 404, 404, 404]
    assert registry.call("GET", location).status_code == 404
    assert requests.get(server.endpoint_url + "/v2/", timeout=10).status_code == 401  # still answering
