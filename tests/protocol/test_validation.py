"""Each constraint kind, with the exact wording AWS (Coral) uses."""
from __future__ import annotations

import pytest

from mockrunner.errors import ServiceError
from mockrunner.protocol import patterns, specs, validation


def _op(service: str, name: str):
    return specs.service_model(service).operation_model(name)


def _error(service: str, name: str, params: dict) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        validation.validate(_op(service, name), params)
    assert caught.value.status == 400
    return caught.value


def test_pattern_is_matched_against_the_whole_value():
    error = _error("iam", "GetRole", {"RoleName": "my role"})
    assert error.code == "ValidationError"
    assert error.message == (
        "1 validation error detected: Value 'my role' at 'roleName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )


def test_max_length():
    error = _error("iam", "GetRole", {"RoleName": "r" * 65})
    assert error.message == (
        f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )


def test_required_member_missing_is_null():
    error = _error("iam", "GetRole", {})
    assert error.message == (
        "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"
    )


def test_number_bounds():
    error = _error("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s",
                                         "DurationSeconds": 800})
    assert "Value 's' at 'roleSessionName' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 2" in error.message
    assert "Value '800' at 'durationSeconds' failed to satisfy constraint: " \
           "Member must have value greater than or equal to 900" in error.message
    assert error.message.startswith("2 validation errors detected: ")
    assert error.message.count("; ") == 1


def test_enum():
    error = _error("iam", "ListPolicies", {"Scope": "Mine"})
    assert error.message == (
        "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: "
        "Member must satisfy enum value set: [All, AWS, Local]"
    )


def test_nested_list_member_path_and_unicode_property_pattern():
    params = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "session",
              "Tags": [{"Key": "héllo wörld 1", "Value": "ok"}, {"Key": "bad!", "Value": "v"}]}
    error = _error("sts", "AssumeRole", params)
    assert error.message == (
        "1 validation error detected: Value 'bad!' at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    )


def test_list_length_is_reported_on_the_list():
    """STS prints its tags as their class does, ``Tag(key=k0, value=v)``: recorded from AWS for GetWebIdentityToken
    (radkawar/stackd testdata/aws/iam/outbound_identity.json, "original_tags_fifty_one"; AssumeRole's Tag is the
    same shape, *unverified*)."""
    params = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "session",
              "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]}
    error = _error("sts", "AssumeRole", params)
    assert error.message.startswith("1 validation error detected: Value '[Tag(key=k0, value=v), ")
    assert error.message.endswith(
        "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_iam_does_not_echo_tags_or_policy_version_ids():
    """Recorded from AWS: LocalStack snapshots tests/aws/services/iam/test_iam_roles.snapshot.json
    (test_role_tag_errors) and test_iam_policies.snapshot.json (test_policy_version_errors).  These two cases
    echoed the values before (IAM's tags were checked as STS's still are above)."""
    role = {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}
    error = _error("iam", "CreateRole", {**role, "Tags": [{"Key": "ok", "Value": "v"}, {"Key": "bad!", "Value": "v"}]})
    assert error.message == (
        "1 validation error detected: Value at 'tags.2.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    )
    error = _error("iam", "CreateRole", {**role, "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]})
    assert error.message == ("1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                             "Member must have length less than or equal to 50")
    error = _error("iam", "GetPolicyVersion", {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                                               "VersionId": "v2-does-not-exist"})
    assert error.message == ("1 validation error detected: Value at 'versionId' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?")
    # Other IAM members still echo their values (public issues quote roleName's).
    assert "Value 'my role' at 'roleName'" in _error("iam", "GetRole", {"RoleName": "my role"}).message


def test_sensitive_values_are_not_echoed():
    error = _error("iam", "CreateLoginProfile", {"UserName": "u", "Password": "x" * 129})
    assert error.message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )
    # An empty value breaks both the length and the pattern: one error each, as Coral lists them.
    error = _error("iam", "CreateLoginProfile", {"UserName": "u", "Password": ""})
    assert error.message == (
        "2 validation errors detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
    )


def test_list_of_scalars_reports_every_element_constraint_at_the_list():
    """"Member must not be null" closes the list (recorded from IAM: LocalStack snapshot test_iam_roles.snapshot.json,
    test_role_tag_errors; this test expected the list without it before)."""
    error = _error("apprunner", "UntagResource", {
        "ResourceArn": "arn:aws:apprunner:us-east-1:123456789012:service/s/0123", "TagKeys": ["ok", "aws:x"]})
    assert error.code == "InvalidRequestException"
    assert error.message == (
        "1 validation error detected: Value '[ok, aws:x]' at 'tagKeys' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "
        "^(?!aws:).+, Member must not be null]"
    )


def test_map_keys_and_sensitive_map_values():
    params = {"ServiceName": "svc1", "SourceConfiguration": {"ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC",
        "ImageConfiguration": {"RuntimeEnvironmentVariables": {"": "secret"}}}}}
    error = _error("apprunner", "CreateService", params)
    assert error.message == (
        "1 validation error detected: Value at 'sourceConfiguration.imageRepository.imageConfiguration"
        ".runtimeEnvironmentVariables' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 51200, Member must have length greater than or equal to 1, "
        "Member must satisfy regular expression pattern: .*]"
    )
    assert "secret" not in error.message


def test_nested_paths_lowercase_the_first_letter_only():
    params = {"ServiceName": "svc1", "SourceConfiguration": {"ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR"}},
        "HealthCheckConfiguration": {"Interval": 21}}
    error = _error("apprunner", "CreateService", params)
    assert error.message == (
        "1 validation error detected: Value '21' at 'healthCheckConfiguration.interval' failed to satisfy "
        "constraint: Member must have value less than or equal to 20"
    )


def test_ecr_uses_its_modeled_client_input_error_in_its_own_words():
    """ECR: "Invalid parameter at '<member>' failed to satisfy constraint: '<constraint>'", the first violation
    only; repository names in its own words (jenkins-x/jx#1344, aws-dotnet-deploy#549)."""
    pattern = specs.service_model("ecr").shape_for("RepositoryName").metadata["pattern"]
    error = _error("ecr", "CreateRepository", {"repositoryName": "Upper"})
    assert error.code == "InvalidParameterException"
    assert error.message == ("Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                             f"'must satisfy regular expression '{pattern}''")
    error = _error("ecr", "CreateRepository", {"repositoryName": "a", "imageTagMutability": "NO"})
    assert error.message == ("Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                             "'must have length greater than or equal to 2'")


def test_ecr_lists_element_constraints_without_not_null_and_enums_in_java_order():
    error = _error("ecr", "GetAuthorizationToken", {"registryIds": ["12345678901"]})
    assert error.message == ("Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy "
                             "constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'")
    error = _error("ecr", "PutImageTagMutability", {"repositoryName": "app", "imageTagMutability": "invalid"})
    assert error.message == (
        "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value "
        "set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'")
    assert validation.java_hash_order(["b", "a", "Aa", "BB"]) == ["Aa", "BB", "a", "b"]


def test_wrong_python_types_are_reported_not_crashed_on():
    error = _error("iam", "ListRoles", {"MaxItems": "ten", "PathPrefix": 5})
    assert "Value at 'maxItems' failed to satisfy constraint: Member must be of type: integer" in error.message
    assert "Value '5' at 'pathPrefix' failed to satisfy constraint: Member must be of type: string" in error.message
    error = _error("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": "nope"})
    assert "Member must be of type: list" in error.message


def test_valid_requests_pass():
    validation.validate(_op("iam", "GetRole"), {"RoleName": "AWSServiceRoleForAppRunner"})
    validation.validate(_op("sts", "GetCallerIdentity"), {})
    validation.validate(_op("apprunner", "ListServices"), {"MaxResults": 20})


def test_every_pattern_of_the_served_models_compiles():
    for service in specs.SERVICES:
        raw = specs.service_model(service)._service_description["shapes"]
        for shape in raw.values():
            if "pattern" in shape:
                assert patterns.compile_pattern(shape["pattern"]) is not None, shape["pattern"]
    assert patterns.SKIPPED == set()


#: Per model pattern of :data:`patterns.LINEAR_SPELLINGS`: the prefixes and characters its strings are built from.
_SPELLING_ALPHABETS = {
    "ScanningRepositoryFilterValue": (("", "a", "*"), "a*._-/!A\n"),
    "ImageIdentifier": (("public.ecr.aws/", "public.ecr.aws/x/", "public.ecr.aws", "public.ecr.aws/a/b:",
                         "123456789012.dkr.ecr.us-east-1.amazonaws.com/"), "a0._-/:@!\nA+"),
}


@pytest.mark.parametrize("shape_name, service", [("ScanningRepositoryFilterValue", "ecr"),
                                                 ("ImageIdentifier", "apprunner")])
def test_a_linear_spelling_accepts_exactly_what_the_model_pattern_accepts(shape_name, service):
    """Every string of up to 4 characters after each prefix, and 20,000 random ones up to 14, agree."""
    import itertools
    import random
    import re

    model = specs.service_model(service).shape_for(shape_name).metadata["pattern"]
    assert model in patterns.LINEAR_SPELLINGS
    original, linear = re.compile(model), patterns.compile_pattern(model)
    prefixes, alphabet = _SPELLING_ALPHABETS[shape_name]
    pieces = [*alphabet, "a", "/a", "a:", "a@"]
    rnd = random.Random(7)
    samples = [prefix + "".join(chars) for prefix in prefixes for size in range(5)
               for chars in itertools.product(alphabet, repeat=size)]
    samples += [rnd.choice(prefixes) + "".join(rnd.choice(pieces) for _ in range(rnd.randrange(14)))
                for _ in range(20_000)]
    disagreements = [s for s in samples if (original.fullmatch(s) is None) != (linear.fullmatch(s) is None)]
    assert disagreements == []
    assert sum(original.fullmatch(s) is not None for s in samples) > 100  # the samples reach both answers


def test_unicode_property_translation():
    compiled = patterns.compile_pattern("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*")
    assert compiled.fullmatch("Ünïcode 名前 ١٢٣ _.:/=+-@\u00a0")
    assert not compiled.fullmatch("semi;colon")
    assert not compiled.fullmatch("tab\t")


def test_service_checked_members_belong_to_one_served_model_each():
    """Each (structure, member) pair exists in exactly one served model (App Runner's, or IAM's password policy)."""
    models = {name: specs.service_model(name) for name in ("apprunner", "iam", "sts", "ecr")}
    for structure, member in validation.SERVICE_CHECKED:
        owners = [model for model in models.values() if structure in model.shape_names]
        assert len(owners) == 1 and member in owners[0].shape_for(structure).members


def test_service_checked_members_keep_their_type_but_not_their_constraints():
    """App Runner judges an empty AutoScalingConfigurationArn itself; other ARNs of the same shape stay checked."""
    source = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/a/b:latest", "ImageRepositoryType": "ECR_PUBLIC"}}
    create = _op("apprunner", "CreateService")
    assert validation.errors_for(create, {"ServiceName": "web-app", "SourceConfiguration": source,
                                          "AutoScalingConfigurationArn": ""}) == []
    assert validation.errors_for(create, {"ServiceName": "web-app", "SourceConfiguration": source,
                                          "AutoScalingConfigurationArn": 7}) == [
        "Value '7' at 'autoScalingConfigurationArn' failed to satisfy constraint: Member must be of type: string"]
    error = _error("apprunner", "DescribeAutoScalingConfiguration", {"AutoScalingConfigurationArn": ""})
    assert error.message.startswith("2 validation errors detected: Value '' at 'autoScalingConfigurationArn' failed "
                                    "to satisfy constraint: Member must have length greater than or equal to 1; ")
