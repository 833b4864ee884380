"""The credential scope's region: any region of the aws partition (botocore's list or its regionRegex), nothing else."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner import regions
from mockrunner.config import Settings


def _refusal(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("region", ["xx-fake-1", "cn-north-1", "us-gov-west-1"])
def test_query_services_refuse_a_region_outside_the_partition(aws, region):
    with pytest.raises(ClientError) as excinfo:
        aws.client("sts", region=region).get_caller_identity()
    assert _refusal(excinfo) == (
        "SignatureDoesNotMatch", f"Credential should be scoped to a valid region, not '{region}'. ", 403)
    with pytest.raises(ClientError) as excinfo:
        aws.client("iam", region=region).list_users()
    assert _refusal(excinfo)[0] == "SignatureDoesNotMatch"


def test_json_services_refuse_a_region_outside_the_partition(aws):
    with pytest.raises(ClientError) as excinfo:
        aws.client("apprunner", region="mars-north-1").list_services()
    assert _refusal(excinfo) == (
        "InvalidSignatureException", "Credential should be scoped to a valid region, not 'mars-north-1'. ", 400)
    with pytest.raises(ClientError):
        aws.client("ecr", region="mars-north-1").describe_repositories()
    # Refused at the endpoint, before authentication: nothing was authorized.
    assert not any(entry["action"] == "ecr:DescribeRepositories" for entry in aws.store.decision_log)


def test_every_region_of_the_partition_is_served(aws):
    """Including IAM for a non-us-east-1 client: with endpoint_url set, botocore signs IAM for the client region."""
    assert {"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"} <= regions.known_regions()
    for region in ("eu-west-1", "ap-southeast-2"):
        assert aws.client("sts", region=region).get_caller_identity()["Account"] == "123456789012"
        assert aws.client("iam", region=region).list_users()["Users"] == []
        arn = aws.client("apprunner", region=region).create_auto_scaling_configuration(
            AutoScalingConfigurationName="per-region")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
        assert arn.startswith(f"arn:aws:apprunner:{region}:123456789012:autoscalingconfiguration/per-region/1/")


def test_enforcement_off_accepts_any_region(make_harness):
    harness = make_harness("inprocess", Settings(enforce="off", log_requests=False))
    assert harness.client("sts", region="xx-fake-1").get_caller_identity()["Account"] == "123456789012"


def test_a_region_newer_than_botocore_is_served(aws):
    """Not in botocore's list but shaped like an aws-partition region (its regionRegex): a region launched later."""
    region = "eu-future-9"
    assert region not in regions.known_regions()
    assert aws.client("sts", region=region).get_caller_identity()["Account"] == "123456789012"
    assert aws.client("iam", region=region).list_users()["Users"] == []
    arn = aws.client("apprunner", region=region).create_auto_scaling_configuration(
        AutoScalingConfigurationName="future")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    assert arn.startswith(f"arn:aws:apprunner:{region}:123456789012:")


@pytest.mark.parametrize("region", ["us-gov-future-1", "cn-future-1", "eu-future-x", "us-east-1-x"])
def test_other_partitions_shapes_stay_refused(aws, region):
    """The aws pattern admits neither GovCloud/China-shaped names nor trailing junk after the number."""
    assert not regions.is_valid(region)
    with pytest.raises(ClientError) as excinfo:
        aws.client("sts", region=region).get_caller_identity()
    assert _refusal(excinfo)[:2] == (
        "SignatureDoesNotMatch", f"Credential should be scoped to a valid region, not '{region}'. ")


def test_unsigned_requests_are_not_checked_for_a_region(aws):
    """No credential scope, no region to refuse: the answer is the missing-signature one, whatever the client region."""
    from botocore import UNSIGNED
    from botocore.config import Config

    unsigned = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})
    with pytest.raises(ClientError) as excinfo:
        aws.client("sts", region="xx-fake-1", config=unsigned).get_caller_identity()
    assert _refusal(excinfo)[0] == "MissingAuthenticationToken"
    with pytest.raises(ClientError) as excinfo:
        aws.client("apprunner", region="xx-fake-1", config=unsigned).list_services()
    assert _refusal(excinfo)[0] == "MissingAuthenticationTokenException"
