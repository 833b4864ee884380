"""What credential tools expect of STS, IAM and ECR, replayed through boto3 in both modes.

Each test replays one client's call sequence as its source makes it and asserts the fields, formats and errors
that client reads or matches (docs/behaviour.md,
"Sweep: credential clients' expectations"):

- aws-actions/configure-aws-credentials (src/assumeRole.ts, src/helpers.ts): GetCallerIdentity's ``Account`` and
  ``Arn``; AssumeRole with its seven session tags (``GitHub``, ``Repository``, ``Workflow``, ``Action``,
  ``Actor``, ``Commit``, ``Branch``), ``RoleSessionName`` ``GitHubActions`` and one hour; the refusals its users
  quote (``sts:TagSession`` missing from the trust policy, an actor ``[bot]`` outside the tag pattern); the web
  identity flow with session policies, the same token twice (its retry loop), ``role-chaining``;
- aws-actions/amazon-ecr-login (index.js, index.test.js) and awslabs/amazon-ecr-credential-helper
  (ecr-login/api/client.go, cache/credentials.go): one ``authorizationData`` per requested registry, in order,
  a ``proxyEndpoint`` its registry pattern reads, a standard-base64 ``AWS:<password>`` token split at the first
  colon, an ``expiresAt`` in the future;
- 99designs/aws-vault (vault/*.go), common-fate/granted (pkg/cfaws): GetSessionToken with MFA then AssumeRole
  without it ("chained MFA"), the role-chaining hour, the MFA texts they match, ``GetUser``'s denial naming the
  user (``getuser.go``'s pattern), GetFederationToken with a 32-character name;
- Versent/saml2aws (cmd/saml2aws/commands/login.go): AssumeRoleWithSAML with ``DurationSeconds``, the response's
  ``Destination``, ``AssumedRoleUser.Arn``;
- botocore's own providers: ``source_profile`` + ``role_arn`` + ``external_id`` + ``duration_seconds``, and
  ``web_identity_token_file``.

Found and fixed (each test failed before its fix): the denial of ``sts:SetSourceIdentity`` carried the
"because ..." clause STS never sends; GetSessionToken called by the root user for more than an hour was refused
instead of getting an hour; every STS ``Expiration`` carried milliseconds.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.iam.federation import GITHUB_HOST, assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key
from tests.iam.keys_and_codes import current_step, enabled_mfa_device, totp
from tests.iam.saml_federation import IDP, saml_provider, saml_response, saml_role
from tests.iam.saml_federation import assume as assume_with_saml

ROLE = f"arn:aws:iam::{ACCOUNT}:role/"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
# configure-aws-credentials' tags, values as its sanitizer leaves them (src/assumeRole.ts).
ACTION_TAGS = [{"Key": "GitHub", "Value": "Actions"}, {"Key": "Repository", "Value": "acme/app"},
               {"Key": "Workflow", "Value": "Deploy to prod"}, {"Key": "Action", "Value": "__run_2"},
               {"Key": "Actor", "Value": "octocat"}, {"Key": "Commit", "Value": "0123456789abcdef"},
               {"Key": "Branch", "Value": "refs/heads/main"}]
# amazon-ecr-credential-helper's registry pattern (ecr-login/api/client.go).
ECR_HOST = re.compile(r"(^[a-zA-Z0-9][a-zA-Z0-9-_]*)\.dkr\.ecr(\-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)"
                      r"\.amazonaws\.com(\.cn)?")
# aws-vault's reading of a GetUser denial (vault/getuser.go), on Go's "<code>: <message>".
GET_USER_DENIED = re.compile(r"^AccessDenied: User: arn:aws:iam::(\d+):user/(.+) is not")


def _refused(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return aws_error(excinfo)


def _trust(*actions: str, **condition) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return doc(statement)


def _assumed_role_answer(answer: dict, role: str, session: str) -> None:
    """The members every one of these clients reads from an AssumeRole-family answer."""
    credentials = answer["Credentials"]
    assert sorted(credentials) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["Expiration"] > datetime.now(UTC)
    user = answer["AssumedRoleUser"]
    assert re.fullmatch(rf"AROA[A-Z2-7]{{17}}:{re.escape(session)}", user["AssumedRoleId"])
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"


# ------------------------------------------------------------------------------ configure-aws-credentials


def test_configure_aws_credentials_with_access_keys(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=_trust("sts:AssumeRole", "sts:TagSession"))
    iam.create_role(RoleName="untagged", AssumeRolePolicyDocument=_trust("sts:AssumeRole"))
    key = user_with_key(aws, "ci", inline={"p": doc(allow(["sts:AssumeRole", "sts:TagSession"]))})
    sts = aws.client_for(key, "sts")
    # exportAccountId / getCallerIdentity: Account and Arn must both be there.
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/ci")
    answer = sts.assume_role(RoleArn=ROLE + "deploy", RoleSessionName="GitHubActions", DurationSeconds=3600,
                             Tags=ACTION_TAGS)
    _assumed_role_answer(answer, "deploy", "GitHubActions")
    assert isinstance(answer["PackedPolicySize"], int) and "SourceIdentity" not in answer
    assert aws.client_for(answer["Credentials"], "sts").get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]
    # role-skip-session-tagging: no tags, no PackedPolicySize.
    assert "PackedPolicySize" not in sts.assume_role(RoleArn=ROLE + "untagged", RoleSessionName="GitHubActions")
    # The answers its users quote (issues #54, #465, #18).
    assert _refused(sts.assume_role, RoleArn=ROLE + "untagged", RoleSessionName="GitHubActions",
                    Tags=ACTION_TAGS) == (
        "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/ci is not authorized to perform: sts:TagSession on "
        f"resource: {ROLE}untagged", 403)
    bot = [*ACTION_TAGS[:4], {"Key": "Actor", "Value": "dependabot-preview[bot]"}]
    assert _refused(sts.assume_role, RoleArn=ROLE + "deploy", RoleSessionName="GitHubActions", Tags=bot) == (
        "ValidationError", "1 validation error detected: Value 'dependabot-preview[bot]' at 'tags.5.member.value' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
        400)


def test_configure_aws_credentials_with_oidc_and_role_chaining(aws):
    github_provider(aws)
    deploy = deploy_role(aws, "oidc", "repo:acme/app:ref:refs/heads/main", policies={
        "chain": doc(allow(["sts:AssumeRole", "sts:TagSession"]))})
    aws.client("iam").create_role(RoleName="target", AssumeRolePolicyDocument=_trust("sts:AssumeRole",
                                                                                      "sts:TagSession"))
    token = mint(aws, github={"repository": "acme/app", "ref": "refs/heads/main"})
    # inline-session-policy and managed-session-policies ride along; the action deletes Tags for this call.
    answer = assume(aws, deploy, token, name="GitHubActions", DurationSeconds=3600, Policy=ALLOW_ALL,
                    PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}])
    _assumed_role_answer(answer, "oidc", "GitHubActions")
    # Provider: the IAM OIDC provider's ARN, as recorded from AWS
    # (docs/behaviour.md, "Parity sweep against stackd's recordings of real authorization, STS and ECR").
    assert "PackedPolicySize" in answer
    assert answer["Provider"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"
    # Its retry loop sends the same token again: STS takes it again.
    assert assume(aws, deploy, token, name="GitHubActions")["SubjectFromWebIdentityToken"] == \
        "repo:acme/app:ref:refs/heads/main"
    # role-chaining: the OIDC session assumes the next role with the action's tags, an hour at most.
    chained = aws.client_for(answer["Credentials"], "sts")
    second = chained.assume_role(RoleArn=ROLE + "target", RoleSessionName="GitHubActions", DurationSeconds=3600,
                                 Tags=ACTION_TAGS)
    _assumed_role_answer(second, "target", "GitHubActions")
    assert _refused(chained.assume_role, RoleArn=ROLE + "target", RoleSessionName="GitHubActions",
                    DurationSeconds=7200) == (
        "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
        "chaining.", 400)
    # An expired token is ExpiredTokenException, not the IDPCommunicationError botocore retries on.
    aws.store.clock.advance(3600 + 600)
    code, _, status = _refused(lambda: assume(aws, deploy, token))
    assert (code, status) == ("ExpiredTokenException", 400)


# ------------------------------------------------------------------------------ ecr-login, credential helper


def test_ecr_login_and_the_credential_helper_read_the_authorization_data(aws):
    ecr = aws.client("ecr")
    other = "111111111111"
    for request, registries in (({}, [ACCOUNT]), ({"registryIds": [other, ACCOUNT]}, [other, ACCOUNT])):
        data = ecr.get_authorization_token(**request)["authorizationData"]
        assert len(data) == len(registries)
        for entry, registry in zip(data, registries, strict=True):
            match = ECR_HOST.match(entry["proxyEndpoint"].removeprefix("https://"))
            assert entry["proxyEndpoint"].startswith("https://") and match
            assert (match.group(1), match.group(3)) == (registry, "us-east-1")
            user, _, password = base64.b64decode(entry["authorizationToken"], validate=True).decode().partition(":")
            # ecr-login splits with split(':', 2), which drops anything past a second colon.
            assert user == "AWS" and password and ":" not in password
            # The helper keeps a token for half of expiresAt - requestedAt: twelve hours here.
            lifetime = (entry["expiresAt"] - aws.store.clock.now()).total_seconds()
            assert 12 * 3600 - 60 < lifetime <= 12 * 3600 + 1  # epoch seconds to the millisecond
    code, message, status = _refused(aws.client("ecr", config=Config(parameter_validation=False))
                                     .get_authorization_token, registryIds=["acme"])
    assert (code, status) == ("InvalidParameterException", 400) and "[0-9]{12}" in message


# ------------------------------------------------------------------------------ aws-vault, granted


def test_aws_vault_chained_mfa_and_the_answers_it_matches(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="admin", MaxSessionDuration=43200, AssumeRolePolicyDocument=_trust(
        "sts:AssumeRole", Bool={"aws:MultiFactorAuthPresent": "true"}))
    key = user_with_key(aws, "alice", inline={"p": doc(allow(["sts:AssumeRole", "sts:GetFederationToken"]))})
    serial, seed = enabled_mfa_device(aws, iam, "alice")
    sts = aws.client_for(key, "sts")
    assert _refused(sts.assume_role, RoleArn=ROLE + "admin", RoleSessionName="1796140000000000000")[0] == \
        "AccessDenied"
    # GetSessionToken with MFA, then AssumeRole without it: the session's MFA satisfies the trust policy.
    session = sts.get_session_token(DurationSeconds=3600, SerialNumber=serial,
                                    TokenCode=totp(seed, current_step(aws) + 1))["Credentials"]
    chained = aws.client_for(session, "sts")
    answer = chained.assume_role(RoleArn=ROLE + "admin", RoleSessionName="1796140000000000000", DurationSeconds=3600)
    _assumed_role_answer(answer, "admin", "1796140000000000000")
    assert _refused(chained.assume_role, RoleArn=ROLE + "admin", RoleSessionName="1796140000000000000",
                    DurationSeconds=7200)[1] == ("The requested DurationSeconds exceeds the 1 hour session limit "
                                                 "for roles assumed by role chaining.")
    assert _refused(chained.get_session_token) == (
        "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    # The texts aws-vault and granted's MFA retry match (a used code; a serial that is not the user's).
    assert _refused(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, current_step(aws) + 1)) == (
        "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ", 403)
    assert _refused(sts.get_session_token, SerialNumber=serial + "x", TokenCode="123456")[1].startswith(
        "MultiFactorAuthentication failed, unable to validate MFA code.")
    # aws-vault login: the user name from GetUser, or from its denial; then GetFederationToken (name <= 32).
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "iam").get_user()
    go_error = f"{excinfo.value.response['Error']['Code']}: {excinfo.value.response['Error']['Message']}"
    assert GET_USER_DENIED.match(go_error).groups() == (ACCOUNT, "alice")
    federated = sts.get_federation_token(Name="Granted@" + "p" * 24, DurationSeconds=43200, Policy=ALLOW_ALL)
    assert federated["FederatedUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/Granted@{'p' * 24}"
    assert _refused(aws.client_for(key, "sts", config=Config(parameter_validation=False)).get_federation_token,
                    Name="n" * 33)[0] == "ValidationError"


def test_aws_vault_rotate(aws):
    """vault/rotator.go: the user name (here from GetUser's denial), CreateAccessKey with ``UserName`` from an MFA
    session of the old key, DeleteAccessKey of the old key from an MFA session of the new one."""
    iam = aws.client("iam")
    self_service = allow(["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetUser"],
                         f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                         Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    old = user_with_key(aws, "erin", inline={"self": doc(self_service)})
    serial, seed = enabled_mfa_device(aws, iam, "erin")
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(old, "iam").get_user()
    error = excinfo.value.response["Error"]
    assert GET_USER_DENIED.match(f"{error['Code']}: {error['Message']}").group(2) == "erin"

    def mfa_session(key: dict) -> dict:
        aws.store.clock.advance(90)  # a code of a step not used yet
        return aws.client_for(key, "sts").get_session_token(
            SerialNumber=serial, TokenCode=totp(seed, current_step(aws)))["Credentials"]

    new = aws.client_for(mfa_session(old), "iam").create_access_key(UserName="erin")["AccessKey"]
    assert new["Status"] == "Active" and new["UserName"] == "erin"
    aws.client_for(mfa_session(new), "iam").delete_access_key(AccessKeyId=old["AccessKeyId"], UserName="erin")
    assert _refused(aws.client_for(old, "sts").get_caller_identity)[0] == "InvalidClientTokenId"
    # Without MFA a session is refused by IAM outright ("IAM's systems hard-fail early when given STS credentials").
    plain = aws.client_for(new, "sts").get_session_token()["Credentials"]
    assert _refused(aws.client_for(plain, "iam").get_user)[0] == "InvalidClientTokenId"


def test_granted_get_session_token_defaults_to_twelve_hours(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "bob")
    serial, seed = enabled_mfa_device(aws, iam, "bob")
    answer = aws.client_for(key, "sts").get_session_token(SerialNumber=serial,
                                                          TokenCode=totp(seed, current_step(aws) + 1))
    lifetime = (answer["Credentials"]["Expiration"] - aws.store.clock.now()).total_seconds()
    assert 12 * 3600 - 60 < lifetime <= 12 * 3600


def test_get_session_token_of_the_root_user_longer_than_an_hour_gets_an_hour(aws):
    """STS API reference, GetSessionToken: "If the duration is longer than one hour, the session for AWS account
    owners defaults to one hour." (aws-vault passes its own duration whatever the keys are.)"""
    sts = aws.client("sts")
    for requested in (7200, 129600):
        answer = sts.get_session_token(DurationSeconds=requested)
        lifetime = (answer["Credentials"]["Expiration"] - aws.store.clock.now()).total_seconds()
        assert 3600 - 60 < lifetime <= 3600
    default = sts.get_session_token()["Credentials"]["Expiration"]
    assert 3600 - 60 < (default - aws.store.clock.now()).total_seconds() <= 3600


def test_a_set_source_identity_denial_has_no_because_clause(aws):
    """STS's AssumeRole refusals name no policy type: "... is not authorized to perform: sts:SetSourceIdentity on
    resource: arn:aws:iam::...:role/..." (noqdev/iambic#357, MaterializeInc/materialize#37427)."""
    aws.client("iam").create_role(RoleName="audited", AssumeRolePolicyDocument=_trust("sts:AssumeRole"))
    key = user_with_key(aws, "carol", inline={"p": doc(allow(["sts:AssumeRole", "sts:SetSourceIdentity"]))})
    assert _refused(aws.client_for(key, "sts").assume_role, RoleArn=ROLE + "audited", RoleSessionName="carol",
                    SourceIdentity="carol@example.com") == (
        "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: "
        f"sts:SetSourceIdentity on resource: {ROLE}audited", 403)
    # Allowed, the answer echoes it (AssumeRole's SourceIdentity member).
    aws.client("iam").update_assume_role_policy(RoleName="audited", PolicyDocument=_trust(
        "sts:AssumeRole", "sts:SetSourceIdentity"))
    answer = aws.client_for(key, "sts").assume_role(RoleArn=ROLE + "audited", RoleSessionName="carol",
                                                    SourceIdentity="carol@example.com")
    assert answer["SourceIdentity"] == "carol@example.com" and "PackedPolicySize" not in answer


def test_sts_expiration_is_in_whole_seconds(aws):
    """Every STS example of AWS's CLI documentation shows whole seconds (assume-role, assume-role-with-saml,
    -with-web-identity, get-session-token, get-federation-token), the last two as CLI v2 prints a parsed time."""
    iam = aws.client("iam")
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=_trust("sts:AssumeRole"))
    key = user_with_key(aws, "dave", inline={"p": doc(allow(["sts:AssumeRole", "sts:GetFederationToken"]))})
    sts = aws.client_for(key, "sts")
    bodies: list[str] = []
    sts.meta.events.register("after-call", lambda http_response, **_: bodies.append(http_response.text))
    expirations = []
    for _ in range(3):  # a clock that happens to be on a whole second cannot pass all three by chance
        aws.store.clock.advance(0.3)
        expirations += [sts.assume_role(RoleArn=ROLE + "plain", RoleSessionName="dave")["Credentials"]["Expiration"],
                        sts.get_session_token()["Credentials"]["Expiration"],
                        sts.get_federation_token(Name="dave")["Credentials"]["Expiration"]]
    assert [expiration.microsecond for expiration in expirations] == [0] * len(expirations)
    on_the_wire = [re.search(r"<Expiration>([^<]*)</Expiration>", body).group(1) for body in bodies]
    assert len(on_the_wire) == 9 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
                                         for text in on_the_wire), on_the_wire


# ------------------------------------------------------------------------------ saml2aws


def test_saml2aws_login(aws):
    saml_provider(aws)
    role_arn = saml_role(aws)
    aws.client("iam").update_role(RoleName="federated", MaxSessionDuration=43200)
    response = saml_response(aws, role_arn)
    # saml2aws reads the Role pairs and the Destination before calling STS.
    xml = base64.b64decode(response).decode()
    assert 'Destination="https://signin.aws.amazon.com/saml"' in xml
    assert f"{role_arn},arn:aws:iam::{ACCOUNT}:saml-provider/Okta" in xml or \
        f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta,{role_arn}" in xml
    answer = assume_with_saml(aws, role_arn, response, DurationSeconds=28800)
    _assumed_role_answer(answer, "federated", "alice")
    assert answer["Issuer"] == IDP
    lifetime = (answer["Credentials"]["Expiration"] - aws.store.clock.now()).total_seconds()
    assert 28800 - 60 < lifetime <= 28800


# ------------------------------------------------------------------------------ botocore's providers


def _profile_session(aws, tmp_path, profiles: dict[str, dict[str, str]], name: str) -> botocore.session.Session:
    """A botocore session on a config file of ``profiles`` (each pointed at this harness), as a user's would be."""
    lines = []
    for profile, values in profiles.items():
        lines.append(f"[profile {profile}]")
        lines += [f"{key} = {value}" for key, value in {**values, "region": "us-east-1",
                                                         "endpoint_url": aws.endpoint_url}.items()]
    (tmp_path / "config").write_text("\n".join(lines) + "\n")
    session = botocore.session.Session(profile=name)
    session.set_config_variable("config_file", str(tmp_path / "config"))
    session.set_config_variable("credentials_file", str(tmp_path / "no-credentials"))
    if aws.server is None:
        session.register("before-send", aws._handler)  # clients made by the session (its STS client too) copy it
    return session


def test_botocore_assume_role_provider(aws, tmp_path, monkeypatch):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    aws.client("iam").create_role(RoleName="target", AssumeRolePolicyDocument=_trust(
        "sts:AssumeRole", StringEquals={"sts:ExternalId": "ext-1"}))
    key = user_with_key(aws, "dev", inline={"p": doc(allow("sts:AssumeRole"))})
    session = _profile_session(aws, tmp_path, {
        "base": {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]},
        "role": {"source_profile": "base", "role_arn": ROLE + "target", "external_id": "ext-1",
                 "duration_seconds": "1800"}}, "role")
    arn = session.create_client("sts").get_caller_identity()["Arn"]
    assert re.fullmatch(rf"arn:aws:sts::{ACCOUNT}:assumed-role/target/botocore-session-\d+", arn)
    credentials = session.get_credentials()
    remaining = (credentials._expiry_time - datetime.now(UTC)).total_seconds()
    assert 1800 - 120 < remaining <= 1800 and not credentials.refresh_needed()


def test_botocore_web_identity_provider(aws, tmp_path, monkeypatch):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                     "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"):
        monkeypatch.delenv(variable, raising=False)
    github_provider(aws)
    deploy = deploy_role(aws, "pod", "repo:acme/app:ref:refs/heads/main")
    (tmp_path / "token").write_text(mint(aws, github={"repository": "acme/app", "ref": "refs/heads/main"}))
    session = _profile_session(aws, tmp_path, {"pod": {
        "role_arn": deploy, "web_identity_token_file": str(tmp_path / "token"), "role_session_name": "pod-1"}},
        "pod")
    assert session.create_client("sts").get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/pod/pod-1"
