"""App Runner answers whose code or wording public sources show (fifty-second pass), through boto3 in both modes.

DeleteService: (docs/behaviour.md, "App Runner: service lifecycle and state gating")
auto scaling deletes: (docs/behaviour.md, "App Runner: auto scaling configurations")
tagging the provided configurations: (docs/behaviour.md, "App Runner: tags")
"""
from __future__ import annotations

import pytest

from tests.apprunner.helpers import DEFAULT_ASC, code, error_of, message, running

PROVIDED_OBSERVABILITY = DEFAULT_ASC.replace("autoscalingconfiguration", "observabilityconfiguration")
TAGS = [{"Key": "team", "Value": "web"}]


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


@pytest.mark.parametrize("operation", ["create", "deployment"])
def test_delete_service_while_an_operation_runs_is_awss_answer(aws, apprunner, operation):
    """hashicorp/terraform-provider-aws#19840 quotes AWS: "InvalidStateException: Service cannot be deleted in the
    current state: OPERATION_IN_PROGRESS."."""
    if operation == "create":
        aws.store.settings.operation_delay = 600
        arn = apprunner.create_service(ServiceName="busy", SourceConfiguration={"ImageRepository": {
            "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
            "ImageRepositoryType": "ECR_PUBLIC"}})["Service"]["ServiceArn"]
    else:
        arn = running(apprunner, "busy")
        aws.store.settings.operation_delay = 600
        apprunner.start_deployment(ServiceArn=arn)
    error = error_of(apprunner.delete_service, ServiceArn=arn)
    assert (code(error), message(error)) == (
        "InvalidStateException", "Service cannot be deleted in the current state: OPERATION_IN_PROGRESS.")
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"


@pytest.mark.parametrize("provided", [DEFAULT_ASC, PROVIDED_OBSERVABILITY], ids=["auto-scaling", "observability"])
def test_the_provided_default_configurations_cannot_be_tagged(apprunner, provided):
    """cloudquery/cloudquery#11785: listing the tags of the provided DefaultConfiguration revisions is an error on
    AWS, and not a not-found one (the fix skips them as "untaggable").  A revision of that name one makes is
    taggable: the name is not reserved for auto scaling configurations."""
    for call, params in ((apprunner.tag_resource, {"Tags": TAGS}), (apprunner.untag_resource, {"TagKeys": ["team"]}),
                         (apprunner.list_tags_for_resource, {})):
        error = error_of(call, ResourceArn=provided, **params)
        assert code(error) == "InvalidRequestException", call
        assert provided in message(error)
    mine = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="DefaultConfiguration", MaxSize=3,
                                                       Tags=TAGS)["AutoScalingConfiguration"]
    assert mine["AutoScalingConfigurationRevision"] == 2
    arn = mine["AutoScalingConfigurationArn"]
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "tier", "Value": "1"}])
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == [*TAGS, {"Key": "tier", "Value": "1"}]


def test_deleting_an_inactive_auto_scaling_revision_is_what_terraform_takes_as_gone(apprunner):
    """terraform-provider-aws's auto_scaling_configuration_version.go takes ResourceNotFoundException or
    InvalidRequestException containing "The auto scaling configuration you specified has been deleted" as done."""
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="gone")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=arn)
    assert code(error) == "InvalidRequestException"
    assert "The auto scaling configuration you specified has been deleted" in message(error)
    assert apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=arn)["AutoScalingConfiguration"]["Status"] == "inactive"


def test_deleting_the_default_auto_scaling_configuration_is_awss_whole_answer(apprunner):
    """hashicorp/terraform-provider-aws#19840 quotes the whole answer, format placeholder unfilled ("Yes, with the
    literal %s")."""
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=DEFAULT_ASC)
    assert (code(error), message(error)) == (
        "InvalidRequestException", "You can't delete a reserved auto scaling configuration: '%s'.")
