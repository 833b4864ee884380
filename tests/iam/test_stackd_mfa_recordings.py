"""MFA, root access and reporting as radkawar/stackd's recordings of real AWS show them (commit 9dc356f5, captured
2026-09-11 with the AWS CLI v2 and signed Query requests in a commercial account).

Files (``testdata/aws/iam/``): ``mfa_verification.json``, ``mfa_code_order.json``, ``mfa_authentication_drift.json``,
``mfa_propagation.json``, ``mfa_recreation.json`` and its ``_adjusted``, ``_fresh``, ``_limited``,
``_limited_delayed`` variants, the eight ``mfa_rejection*.json``, ``mfa_self_management.json``,
``mfa_synchronization_codes.json``, ``mfa_synchronization_reuse.json``, ``mfa_reuse.json`` (its STS half),
``mfa_time.json``, ``root_access.json``, ``account_reporting.json``, ``credential_report.json`` (the parts an earlier
pass had not compared).  Each test names the file and the observations (``case``) it replays; where AWS's answer
depended on the wall clock (the three-minute attempt windows, the steps of the codes), the test moves mockrunner's
clock to the start of a window and replays the rule the recording shows.

Held (no change): STS refuses a device deactivated, deleted or moved to another user with the "unable to validate"
words and takes a new owner's code after the drift its Enable set ("old_deactivate_12", "old_delete_12",
"old_reassign_12", "new_reassign_12"); after a resync ten steps ahead the old code is refused and one eleven ahead
taken ("old_resync_12", "new_resync_12"); a recreated device starts afresh ("bootstrap_recreate_first_0");
AssumeRoot's duration bounds; the root-task managed policies' metadata and documents; the account reads' denials;
GetAccountAuthorizationDetails' user, group and role details; a non-default version moving a policy's UpdateDate.

Fixed (each test failed before its fix): STS's window is two steps either side (was one); STS and IAM keep apart
the codes they took, and STS takes an unused older code (was one marker for both, newer codes only); at most nine
code checks per serial number in an epoch-aligned three-minute window, then the "unable to validate" words until it
ends, a deletion notwithstanding (was unlimited); an IAM user with an enabled device enables or deactivates its own
devices only with MFA (was: freely); EnableDate in whole seconds (had milliseconds); AssumeRoot takes the target
root's ARN, and its refusals are worded as AWS words them; a policy may name ``arn:aws:iam::<account>:root``;
``PolicyVersionsInUse`` counts each managed policy attached or set as a boundary once (was: the versions of attached
customer policies); a policy's versions are listed newest first, their dates in whole seconds.

What held, what was fixed and what is left:
(docs/behaviour.md, "Parity sweep against stackd's recordings of MFA, root access and reporting").
"""
from __future__ import annotations

from typing import Any

from tests.harness import without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.iam.keys_and_codes import current_step, totp

UNKNOWN_DEVICE = ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
                  "your MFA serial number is valid and associated with this user.", 403)
INVALID_CODE = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ", 403)
MFA_REQUIRED = ("AccessDenied", "To complete this action, please ensure that you are authenticated with an MFA "
                "device that is enabled for this user.", 403)
WINDOW = 180
TASK = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}


def _window_start(aws: Any) -> int:
    """Move the store clock to one second past the start of the next three-minute window (also the start of a
    30-second step), so a test's requests, made in well under 29 seconds, share one window and one step; returns
    that step."""
    seconds = aws.store.clock.now().timestamp()
    aws.store.clock.advance(WINDOW - seconds % WINDOW + 1)
    return current_step(aws)


def _pair(seed: bytes, second: int) -> dict:
    return {"AuthenticationCode1": totp(seed, second - 1), "AuthenticationCode2": totp(seed, second)}


def _device(aws: Any, name: str, user: str, second: int) -> tuple[str, bytes]:
    """A virtual MFA device ``name`` enabled (by root) for ``user`` with the codes of ``second - 1`` and ``second``."""
    iam = aws.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, **_pair(seed, second))
    return serial, seed


def _session(sts: Any, serial: str, seed: bytes, step: int) -> dict:
    return sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, step), DurationSeconds=900)["Credentials"]


# ------------------------------------------------------------------------------------------- STS's code window
def test_sts_takes_codes_two_steps_either_side_each_once_in_any_order(aws):
    """mfa_verification.json "use_offset_-3_0" .. "use_offset_3_1" (offsets -2..2 taken once, -3 and 3 refused);
    mfa_code_order.json "future_0".."future_2" (+2, +1, 0), "past_0".."past_3" (-2, 0, -1, +1);
    mfa_authentication_drift.json "future_3" (the -2 code again refused)."""
    now = _window_start(aws)
    key = user_with_key(aws, "window")
    sts = aws.client_for(key, "sts")
    serial, seed = _device(aws, "future", "window", now)
    for offset in (3, -3):
        assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now + offset)) == \
            INVALID_CODE
    for offset in (2, 1, 0, -2):
        assert _session(sts, serial, seed, now + offset)["AccessKeyId"].startswith("ASIA")
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now - 2)) == INVALID_CODE
    _session(sts, serial, seed, now - 1)
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now + 2)) == INVALID_CODE


def test_sts_and_iam_keep_apart_the_codes_they_took(aws):
    """mfa_synchronization_codes.json "bootstrap_enroll_first_-1", "_0" (Enable's two codes taken by STS),
    "bootstrap_resync_first_-1", "_0" (Resync's two codes taken by STS); mfa_synchronization_reuse.json
    "unused_consumed_0", "unused_consumed_1", "replay_consumed_1"; mfa_reuse.json "reuse_0", "reuse_1",
    "resync_after_use_1" (a Resync pair of codes STS took is accepted)."""
    now = _window_start(aws)
    key = user_with_key(aws, "apart")
    sts = aws.client_for(key, "sts")
    iam = aws.client("iam")
    serial, seed = _device(aws, "apart", "apart", now)
    _session(sts, serial, seed, now - 1)
    _session(sts, serial, seed, now)
    iam.resync_mfa_device(UserName="apart", SerialNumber=serial, **_pair(seed, now + 2))
    _session(sts, serial, seed, now + 1)
    _session(sts, serial, seed, now + 2)
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now + 2)) == INVALID_CODE
    _session(sts, serial, seed, now + 3)
    _session(sts, serial, seed, now + 4)
    iam.resync_mfa_device(UserName="apart", SerialNumber=serial, **_pair(seed, now + 4))


def test_a_resync_or_a_new_owner_moves_the_window_and_a_gone_device_is_refused(aws):
    """mfa_propagation.json "old_resync_12", "new_resync_12" (resynced 10 steps ahead: the +2 code refused, +11
    taken), "reassign_reassign_12", "old_reassign_12", "new_reassign_12" (enabled for another user at +4: the old
    owner refused, the new one's +5 taken), "old_deactivate_12", "old_delete_12"; mfa_synchronization_codes.json
    "bootstrap_recreate_first_0" (a recreated device takes a code the old one spent).  These held."""
    now = _window_start(aws)
    iam = aws.client("iam")
    keys = {name: user_with_key(aws, name) for name in ("resync", "owner", "destination", "gone")}
    sts = {name: aws.client_for(key, "sts") for name, key in keys.items()}
    serial, seed = _device(aws, "resync", "resync", now)
    iam.resync_mfa_device(UserName="resync", SerialNumber=serial, **_pair(seed, now + 10))
    assert error_of(sts["resync"].get_session_token, SerialNumber=serial, TokenCode=totp(seed, now + 2)) == \
        INVALID_CODE
    _session(sts["resync"], serial, seed, now + 11)

    moved, moved_seed = _device(aws, "moved", "owner", now)
    iam.deactivate_mfa_device(UserName="owner", SerialNumber=moved)
    iam.enable_mfa_device(UserName="destination", SerialNumber=moved, **_pair(moved_seed, now + 4))
    assert error_of(sts["owner"].get_session_token, SerialNumber=moved, TokenCode=totp(moved_seed, now + 2)) == \
        UNKNOWN_DEVICE
    _session(sts["destination"], moved, moved_seed, now + 5)

    gone, gone_seed = _device(aws, "gone", "gone", now)
    _session(sts["gone"], gone, gone_seed, now + 1)
    iam.deactivate_mfa_device(UserName="gone", SerialNumber=gone)
    assert error_of(sts["gone"].get_session_token, SerialNumber=gone, TokenCode=totp(gone_seed, now + 2)) == \
        UNKNOWN_DEVICE
    iam.delete_virtual_mfa_device(SerialNumber=gone)
    assert error_of(sts["gone"].get_session_token, SerialNumber=gone, TokenCode=totp(gone_seed, now + 2)) == \
        UNKNOWN_DEVICE
    again, again_seed = _device(aws, "gone", "gone", now)
    assert again == gone
    _session(sts["gone"], again, again_seed, now + 1)


# ------------------------------------------------------------------------------------------- attempts per window
def test_nine_code_checks_per_serial_number_in_an_aligned_three_minute_window(aws):
    """mfa_rejection_threshold.json: one right code and seven wrong ones, then a right one ("after_failures_7");
    one and eight, then the "unable to validate" words for a right code ("after_failures_8") while the user's other
    device works ("sibling_failures_8") and 40 seconds later still ("quiet_recovery_failures_8");
    mfa_rejection_success_count.json (three and six: "after_failures_6" refused); mfa_rejection_no_baseline.json
    (eight wrong then a right one: "after_failures_8"); mfa_rejection_aligned.json, _aligned_second.json and
    _odd_boundary.json ("boundary_limited" refused, "boundary_recovery_2" taken two seconds after
    "observed_epoch_boundary"); mfa_rejection_recovery.json ("quiet_recovery_*" refused up to 120 seconds later,
    inside the window)."""
    now = _window_start(aws)
    key = user_with_key(aws, "counted")
    sts = aws.client_for(key, "sts")
    serial, seed = _device(aws, "counted", "counted", now)
    sibling, sibling_seed = _device(aws, "sibling", "counted", now)
    wrong = [code for code in (f"{n:06d}" for n in range(20))
             if code not in {totp(seed, now + offset) for offset in range(-3, 9)}][:8]
    _session(sts, serial, seed, now - 2)
    for code in wrong[:7]:
        assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=code) == INVALID_CODE
    _session(sts, serial, seed, now - 1)  # the ninth check of the window
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now)) == UNKNOWN_DEVICE
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=wrong[7]) == UNKNOWN_DEVICE
    _session(sts, sibling, sibling_seed, now)

    seconds = aws.store.clock.now().timestamp()
    aws.store.clock.advance(WINDOW - seconds % WINDOW - 5)  # five seconds before the window ends
    late = current_step(aws)
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, late)) == UNKNOWN_DEVICE
    aws.store.clock.advance(10)  # into the next window
    _session(sts, serial, seed, late + 1)


def test_the_attempts_belong_to_the_serial_number_and_outlive_the_device(aws):
    """mfa_recreation_limited.json: eight wrong codes after a right one, "original_limited" refused; the device
    deactivated, deleted, created again and enabled ("enable_replacement" succeeded); the new device's right code
    refused with the same words until the window ends ("new_later", "new_unspent_later"; "new_recovered" and
    mfa_recreation_limited_delayed.json "new_after_boundary" taken in the next window)."""
    now = _window_start(aws)
    key = user_with_key(aws, "recreate")
    sts = aws.client_for(key, "sts")
    iam = aws.client("iam")
    serial, seed = _device(aws, "recreate", "recreate", now)
    _session(sts, serial, seed, now)
    codes = {totp(seed, now + offset) for offset in range(-3, 4)}
    for code in [code for code in (f"{n:06d}" for n in range(20)) if code not in codes][:8]:
        assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=code) == INVALID_CODE
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, now + 1)) == UNKNOWN_DEVICE
    iam.deactivate_mfa_device(UserName="recreate", SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    replacement, new_seed = _device(aws, "recreate", "recreate", now)
    assert replacement == serial
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(new_seed, now + 1)) == UNKNOWN_DEVICE
    aws.store.clock.advance(WINDOW)
    _session(sts, serial, new_seed, current_step(aws))


# ------------------------------------------------------------------------------------------- IAM
def test_a_user_with_mfa_enables_and_deactivates_its_own_devices_only_with_mfa(aws):
    """mfa_self_management.json: "self_enable_first_key" (no device yet: allowed), "self_enable_second_key",
    "self_enable_duplicate_key", "self_deactivate_key", "self_deactivate_missing_key" (refused, a missing device
    too), "self_resync_key" and "other_enable_key" (allowed), "issue_mfa_session", "self_enable_second_session",
    "self_deactivate_first_session", "self_deactivate_last_session" (allowed with MFA), "self_reenroll_key"
    (allowed again once no device is left)."""
    now = _window_start(aws)
    policy = doc(allow(["iam:EnableMFADevice", "iam:DeactivateMFADevice", "iam:ResyncMFADevice"],
                       [f"arn:aws:iam::{ACCOUNT}:user/self", f"arn:aws:iam::{ACCOUNT}:user/other"]))
    key = user_with_key(aws, "self", inline={"ReportPermissions": policy})
    aws.client("iam").create_user(UserName="other")
    root = aws.client("iam")
    devices = {}
    for name in ("first", "second", "other"):
        device = root.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        devices[name] = (device["SerialNumber"], device["Base32StringSeed"])
    me = aws.client_for(key, "iam")
    first, first_seed = devices["first"]
    second, second_seed = devices["second"]
    me.enable_mfa_device(UserName="self", SerialNumber=first, **_pair(first_seed, now))
    assert error_of(me.enable_mfa_device, UserName="self", SerialNumber=second, **_pair(second_seed, now)) == \
        MFA_REQUIRED
    assert error_of(me.enable_mfa_device, UserName="self", SerialNumber=first, **_pair(first_seed, now + 4)) == \
        MFA_REQUIRED
    assert error_of(me.deactivate_mfa_device, UserName="self", SerialNumber=first) == MFA_REQUIRED
    assert error_of(me.deactivate_mfa_device, UserName="self",
                    SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/missing") == MFA_REQUIRED
    me.resync_mfa_device(UserName="self", SerialNumber=first, **_pair(first_seed, now + 4))
    me.enable_mfa_device(UserName="other", SerialNumber=devices["other"][0], **_pair(devices["other"][1], now))

    with_mfa = aws.client_for(_session(aws.client_for(key, "sts"), first, first_seed, now + 5), "iam")
    with_mfa.enable_mfa_device(UserName="self", SerialNumber=second, **_pair(second_seed, now + 4))
    with_mfa.deactivate_mfa_device(UserName="self", SerialNumber=first)
    with_mfa.deactivate_mfa_device(UserName="self", SerialNumber=second)
    me.enable_mfa_device(UserName="self", SerialNumber=first, **_pair(first_seed, now + 8))
    assert [device["SerialNumber"] for device in root.list_mfa_devices(UserName="self")["MFADevices"]] == [first]


def test_enable_date_is_whole_seconds(aws):
    """mfa_propagation.json "list_resync_0", "list_resync_12": EnableDate "2026-09-11T20:32:42+00:00" for an Enable
    answered at 20:32:43.05 (the CLI prints a fraction when the wire has one)."""
    fraction = aws.store.clock.now().microsecond / 1_000_000
    aws.store.clock.advance((1.5 - fraction) % 1)
    aws.client("iam").create_user(UserName="dated")
    serial, _ = _device(aws, "dated", "dated", current_step(aws))
    iam = aws.client("iam")
    listed = iam.list_mfa_devices(UserName="dated")["MFADevices"]
    assert [device["EnableDate"].microsecond for device in listed] == [0]
    virtual = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(device["SerialNumber"], device["EnableDate"]) for device in virtual] == [(serial,
                                                                                        listed[0]["EnableDate"])]


# ------------------------------------------------------------------------------------------- root access
def test_assume_root_takes_an_account_or_its_roots_arn_and_is_refused_in_awss_words(aws):
    """root_access.json "assume_root_management_id", "assume_root_management_root_arn",
    "assume_root_duration_zero" (AccessDenied on the target's root), "assume_root_owned_user_arn" (a user's ARN),
    "assume_root_invalid_task_policy", "assume_root_duration_over_limit", "assume_root_task_policy_missing_arn",
    "assume_root_observer_denied" (an explicit deny)."""
    key = user_with_key(aws, "admin", inline={"p": doc(allow("sts:AssumeRoot"))})
    sts = aws.client_for(key, "sts")
    refused = ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/admin is not authorized to perform: "
               f"sts:AssumeRoot on resource: arn:aws:iam::{ACCOUNT}:root", 403)
    for target, extra in ((ACCOUNT, {}), (f"arn:aws:iam::{ACCOUNT}:root", {}), (ACCOUNT, {"DurationSeconds": 0})):
        assert error_of(sts.assume_root, TargetPrincipal=target, TaskPolicyArn=TASK, **extra) == refused
    assert error_of(sts.assume_root, TargetPrincipal=f"arn:aws:iam::{ACCOUNT}:user/org-access/admin",
                    TaskPolicyArn=TASK) == ("ValidationError", "Request must contain a valid target principal", 400)
    assert error_of(sts.assume_root, TargetPrincipal=ACCOUNT,
                    TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}) == (
        "ValidationError", "Request must contain valid AWS managed task policy ARN", 400)
    assert error_of(sts.assume_root, TargetPrincipal=ACCOUNT, TaskPolicyArn=TASK, DurationSeconds=901) == (
        "ValidationError", "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 900", 400)
    assert error_of(sts.assume_root, TargetPrincipal=ACCOUNT, TaskPolicyArn={}) == (
        "ValidationError", "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: "
        "Member must not be null", 400)
    denied = user_with_key(aws, "observer", inline={"p": doc(allow("sts:*"), {"Effect": "Deny",
                                                                             "Action": "sts:AssumeRoot",
                                                                             "Resource": "*"})})
    assert error_of(aws.client_for(denied, "sts").assume_root, TargetPrincipal=ACCOUNT, TaskPolicyArn=TASK) == (
        "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/observer is not authorized to perform: sts:AssumeRoot on "
        f"resource: arn:aws:iam::{ACCOUNT}:root", 403)


def test_a_policy_may_name_the_accounts_root_and_the_account_reads_are_on_star(aws):
    """root_access.json "features_scoped_reads" (its PutUserPolicy naming ``arn:aws:iam::<account>:root`` was
    accepted; the read refused on ``*``), "features_no_grants", "properties_no_grants" (the words before AWS's
    authorization-details sentence: see the docs' Left)."""
    scoped = user_with_key(aws, "scoped_reads", inline={"ReportPermissions": doc(allow(
        ["iam:ListOrganizationsFeatures", "iam:GetAccountProperties"], f"arn:aws:iam::{ACCOUNT}:root"))})
    iam = aws.client_for(scoped, "iam")
    for call, action, sentence in ((iam.list_organizations_features, "iam:ListOrganizationsFeatures", False),
                                   (iam.get_account_properties, "iam:GetAccountProperties", True)):
        code, message, status = error_of(call)
        # AWS ended GetAccountProperties' denial with its Access Troubleshooter sentence, not ListOrganizationsFeatures'
        assert (code, without_authorization_id(message) if sentence else message, status) == (
            "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/scoped_reads is not authorized to perform: {action} on "
            f"resource: * because no identity-based policy allows the {action} action", 403)


def test_the_root_task_policies_read_as_recorded(aws):
    """root_access.json "public_policy_*" and "public_policy_version_*": ids, path, dates, version, attachability
    and descriptions of the five root-task policies (a trailing space aside: see the docs' Left), and the audit
    policy's document."""
    iam = aws.client("iam")
    recorded = {"IAMAuditRootUserCredentials": ("ANPAZKAPJZG4BDSCREYVS", "2024-11-06T22:27:58+00:00"),
                "IAMCreateRootUserPassword": ("ANPAZKAPJZG4OEGTN7YT5", "2024-11-06T22:32:59+00:00"),
                "IAMDeleteRootUserCredentials": ("ANPAZKAPJZG4CX73XKORQ", "2024-11-06T22:47:58+00:00"),
                "S3UnlockBucketPolicy": ("ANPAZKAPJZG4OALTIPZOF", "2024-11-06T21:55:56+00:00"),
                "SQSUnlockQueuePolicy": ("ANPAZKAPJZG4HPZI4FDUV", "2024-11-06T21:51:02+00:00")}
    for name, (policy_id, created) in recorded.items():
        policy = iam.get_policy(PolicyArn=f"arn:aws:iam::aws:policy/root-task/{name}")["Policy"]
        assert (policy["PolicyId"], policy["Path"], policy["DefaultVersionId"], policy["AttachmentCount"],
                policy["IsAttachable"], policy["CreateDate"].isoformat(), policy["UpdateDate"].isoformat(),
                policy["Tags"]) == (policy_id, "/root-task/", "v1", 0, True, created, created, [])
        # IAMCreateRootUserPassword's recorded description ends with a space the data set does not keep (Left)
        assert policy["Description"].endswith("Use this managed policy only with the STS AssumeRoot action.")
    version = iam.get_policy_version(PolicyArn=f"arn:aws:iam::aws:policy/root-task/{TASK['arn'].rsplit('/')[-1]}",
                                     VersionId="v1")["PolicyVersion"]
    audited = ["iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile", "iam:ListMFADevices",
               "iam:GetUser", "iam:GetAccessKeyLastUsed"]
    assert version["Document"] == {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny",
         "NotAction": [*audited[:4], "iam:GetAccountSummary", *audited[4:]], "Resource": "*"},
        {"Sid": "DenyAuditingCredentialsOnNonRootUserResource", "Effect": "Deny", "Action": audited,
         "NotResource": "arn:aws:iam::*:root"}]}


# ------------------------------------------------------------------------------------------- account reporting
def _in_use(iam: Any) -> int:
    return iam.get_account_summary()["SummaryMap"]["PolicyVersionsInUse"]


def test_policy_versions_in_use_count_boundaries_and_aws_policies_once_each(aws):
    """account_reporting.json "unattached_policies" and "unattached_versions" (two customer policies, one with four
    versions, unattached: +0), "customer_boundary_only" (one as a user's boundary: +1), "aws_boundary_only" (an AWS
    managed policy as a role's boundary: +1 more), "aws_attachment_only" (attaching it too: no more)."""
    iam = aws.client("iam")
    iam.create_user(UserName="userz", Path="/stackd-report-fixture/")
    iam.create_role(RoleName="rolez", Path="/stackd-report-fixture/", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    before = _in_use(iam)
    policy = {"Path": "/stackd-report-fixture/", "PolicyDocument": doc(allow("s3:GetObject", "arn:aws:s3:::b/k"))}
    policyz = iam.create_policy(PolicyName="policyz", **policy)["Policy"]["Arn"]
    policya = iam.create_policy(PolicyName="policya", **policy)["Policy"]["Arn"]
    for _ in range(3):
        iam.create_policy_version(PolicyArn=policya, PolicyDocument=policy["PolicyDocument"])
    assert _in_use(iam) == before
    iam.put_user_permissions_boundary(UserName="userz", PermissionsBoundary=policyz)
    assert _in_use(iam) == before + 1
    cloud9 = "arn:aws:iam::aws:policy/AWSCloud9SSMInstanceProfile"
    iam.put_role_permissions_boundary(RoleName="rolez", PermissionsBoundary=cloud9)
    assert _in_use(iam) == before + 2
    iam.attach_role_policy(RoleName="rolez", PolicyArn=cloud9)
    assert _in_use(iam) == before + 2


def test_authorization_details_list_a_policys_versions_newest_first(aws):
    """account_reporting.json "unattached_policy_details:page1": policya's PolicyVersionList v4, v3 (the default),
    v2, v1, and its UpdateDate moved by the non-default v4 ("policy_after_new_nondefault": held); the user, group
    and role details of "configured_user:page1", "configured_group:page1", "configured_role:page1" (inline
    policy, groups, boundary, tags, instance profiles with their roles, an empty RoleLastUsed: held)."""
    iam = aws.client("iam")
    document = doc(allow("s3:GetObject", "arn:aws:s3:::stackd-probe-bucket/space + percent%/é"))
    arn = iam.create_policy(PolicyName="policya", PolicyDocument=document)["Policy"]["Arn"]
    for default in (False, True, False):
        aws.store.clock.advance(1)
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=default)
    policy, = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in policy["PolicyVersionList"]] == [
        ("v4", False), ("v3", True), ("v2", False), ("v1", False)]
    assert policy["UpdateDate"] == policy["PolicyVersionList"][0]["CreateDate"] > policy["CreateDate"]

    iam.create_user(UserName="userz", Path="/f/", Tags=[{"Key": "team", "Value": "space + slash/"}])
    iam.create_group(GroupName="groupz", Path="/f/")
    iam.add_user_to_group(UserName="userz", GroupName="groupz")
    iam.put_user_policy(UserName="userz", PolicyName="inline-encoding", PolicyDocument=document)
    iam.put_user_permissions_boundary(UserName="userz", PermissionsBoundary=arn)
    iam.create_role(RoleName="rolez", Path="/f/", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.create_instance_profile(InstanceProfileName="profilez", Path="/f/")
    iam.add_role_to_instance_profile(InstanceProfileName="profilez", RoleName="rolez")
    user, = iam.get_account_authorization_details(Filter=["User"])["UserDetailList"]
    assert (user["UserPolicyList"][0]["PolicyName"], user["GroupList"], user["PermissionsBoundary"], user["Tags"]) == (
        "inline-encoding", ["groupz"], {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn},
        [{"Key": "team", "Value": "space + slash/"}])
    role, = iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
    nested, = role["InstanceProfileList"][0]["Roles"]
    assert sorted(nested) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"]
    assert role["RoleLastUsed"] == {}
    groups = iam.get_account_authorization_details(Filter=["Group"], MaxItems=10)
    assert "Marker" not in groups and groups["IsTruncated"] is False
