"""Routing lookups and error metadata read from the models."""
from mockrunner.protocol import codecs, json_codec, query_codec, specs


def test_targets_and_actions_resolve_only_with_the_right_prefix():
    apprunner = specs.service_model("apprunner")
    assert specs.operation_for_target(apprunner, "AppRunner.CreateService").name == "CreateService"
    assert specs.operation_for_target(apprunner, "Foo.CreateService") is None
    assert specs.operation_for_target(apprunner, "AppRunner.Nope") is None
    ecr = specs.service_model("ecr")
    assert specs.operation_for_target(ecr, "AmazonEC2ContainerRegistry_V20150921.BatchGetImage").name == "BatchGetImage"
    iam = specs.service_model("iam")
    assert specs.operation_for_action(iam, "GetRole").name == "GetRole"
    assert specs.operation_for_action(iam, "getrole") is None


def test_models_are_cached_and_codecs_follow_the_protocol():
    assert specs.service_model("iam") is specs.service_model("iam")
    assert codecs.codec_for(specs.service_model("apprunner")) is json_codec
    assert codecs.codec_for(specs.service_model("ecr")) is json_codec
    assert codecs.codec_for(specs.service_model("sts")) is query_codec
    assert {name: spec.name for name, spec in specs.by_signing_name().items()} == {
        "apprunner": "apprunner", "ecr": "ecr", "iam": "iam", "sts": "sts"}


def test_the_service_table_derives_what_the_models_say():
    ecr = specs.SERVICES["ecr"]
    assert (ecr.protocol, ecr.signing_name, ecr.action_prefix) == ("json", "ecr", "ecr")
    assert ecr.target_prefix == "AmazonEC2ContainerRegistry_V20150921"
    assert ecr.host_prefixes == ("api.ecr", "ecr")
    assert specs.by_target_prefix()["AppRunner"].name == "apprunner"
    assert specs.by_host_prefix()["sts"].name == "sts"
    assert specs.by_event_name()["ecr"] is ecr
    assert specs.endpoint_prefixes() == {"apprunner", "api.ecr", "iam", "iam-toolbox", "sts"}
    toolbox = specs.SERVICES["iam-toolbox"]
    assert (toolbox.protocol, toolbox.signing_name, toolbox.action_prefix) == ("rest-json", "iam", "iam")
    # both sign as ``iam``: IAM keeps the name, the toolbox is told by its path
    assert specs.by_signing_name()["iam"].name == "iam"
    assert specs.for_scope("iam", "/authorization-details/abc").name == "iam-toolbox"
    assert specs.for_scope("iam", "/").name == "iam"
    assert specs.for_scope("iam", "/authorization-detailsX").name == "iam"
    assert (specs.SERVICES["iam"].protocol, specs.SERVICES["iam"].target_prefix) == ("query", None)


def test_error_status_comes_from_the_model():
    iam = specs.service_model("iam")
    assert specs.error_status(iam, "NoSuchEntity") == (404, True)
    assert specs.error_status(iam, "NoSuchEntityException") == (404, True)
    assert specs.error_status(iam, "ServiceFailure") == (500, False)
    assert specs.wire_error_code(iam, "EntityAlreadyExistsException") == "EntityAlreadyExists"
    apprunner = specs.service_model("apprunner")
    assert specs.error_status(apprunner, "InternalServiceErrorException") == (500, False)
    assert specs.error_status(apprunner, "InvalidRequestException") == (400, True)
    assert specs.error_status(apprunner, "AccessDeniedException") == (400, True)
