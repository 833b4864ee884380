"""IAM users' console passwords and the account password policy: CreateLoginProfile, GetLoginProfile,
UpdateLoginProfile, DeleteLoginProfile, ChangePassword, UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
DeleteAccountPasswordPolicy.

Passwords are kept only as salted PBKDF2 digests.  Every new password (CreateLoginProfile, UpdateLoginProfile,
ChangePassword) must satisfy the account's password policy, or, while the account has none, AWS's default policy
(8 to 128 characters, at least three of: upper case, lower case, digits, symbols); otherwise IAM answers
``PasswordPolicyViolation``.  ``AllowUsersToChangePassword`` lets every IAM user change its own password and read
the policy without a permissions policy saying so, as IAM applies it account-wide.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from dataclasses import replace

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, LoginProfile, PasswordPolicy
from mockrunner.services.iam.authz import anything, target
from mockrunner.services.iam.entities import USER, iam_of, own_user_name
from mockrunner.services.iam.signin_sessions import signin_change, signin_out
from mockrunner.services.iam.wire import read_time
from mockrunner.services.registry import op

SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
UPPERCASE = frozenset(string.ascii_uppercase)
"""The ISO basic Latin alphabet's capitals: "at least one uppercase character from the ISO basic Latin alphabet (A to
Z)" (UpdateAccountPasswordPolicy); ``str.isupper`` would count ``À`` too
(docs/behaviour.md, "Hostile input: forty-eighth pass")."""
LOWERCASE = frozenset(string.ascii_lowercase)
DIGITS = frozenset(string.digits)
DIGEST_ROUNDS = 10_000
DEFAULT_MINIMUM_LENGTH = 8
DEFAULT_CLASSES_REQUIRED = 3
CLASSES = (UPPERCASE, LOWERCASE, DIGITS, SYMBOLS)
VIOLATION = "Password does not conform to the account password policy."


def password_digest(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), DIGEST_ROUNDS).hex()
    return f"{salt}${digest}"


def password_matches(password: str, stored: str) -> bool:
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(password_digest(password, salt), stored)


def _classes_present(password: str) -> int:
    return sum(1 for members in CLASSES if not members.isdisjoint(password))


def conforms(policy: PasswordPolicy | None, password: str) -> bool:
    """Whether ``password`` satisfies ``policy`` (``None``: AWS's default password policy)."""
    if policy is None:
        return len(password) >= DEFAULT_MINIMUM_LENGTH and _classes_present(password) >= DEFAULT_CLASSES_REQUIRED
    required = ((policy.require_uppercase, UPPERCASE), (policy.require_lowercase, LOWERCASE),
                (policy.require_numbers, DIGITS), (policy.require_symbols, SYMBOLS))
    return len(password) >= policy.minimum_length and all(
        not members.isdisjoint(password) for wanted, members in required if wanted)


def new_digests(iam: IamState, password: str, profile: LoginProfile | None) -> tuple[str, list[str]]:
    """The digest of an acceptable new ``password`` and the reuse history to keep, or PasswordPolicyViolation."""
    policy = iam.password_policy
    if not conforms(policy, password):
        raise ServiceError("PasswordPolicyViolation", VIOLATION, 400)
    history: list[str] = []
    if profile is not None and policy is not None and policy.reuse_prevention:
        history = [profile.password_digest, *profile.previous_digests][:policy.reuse_prevention]
        if any(password_matches(password, old) for old in history):
            raise ServiceError("PasswordPolicyViolation", f"{VIOLATION} Password was used previously.", 400)
    return password_digest(password), history


def login_profile_of(iam: IamState, user_name: str) -> LoginProfile:
    profile = iam.login_profiles.get(user_name)
    if profile is None:
        raise ServiceError("NoSuchEntity", f"Login Profile for User {user_name} cannot be found.", 404)
    return profile


def login_profile_out(profile: LoginProfile) -> dict:
    return {"UserName": profile.user_name, "CreateDate": profile.create_date,
            "PasswordResetRequired": profile.password_reset_required,
            **signin_out(profile.max_signin_session_duration)}



# ------------------------------------------------------------------------------------------------ login profiles
_on_user = target(USER, self_default=True)


@op("iam", "CreateLoginProfile", authz=_on_user)
def create_login_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    name = own_user_name(ctx)
    if name in iam.login_profiles:
        raise ServiceError("EntityAlreadyExists", f"Login Profile for user {name} already exists.", 409)
    password = ctx.params.get("Password")
    if password is None:
        raise ServiceError("ValidationError", "Password is required when creating a login profile.", 400)
    digest, _ = new_digests(iam, password, None)
    profile = LoginProfile(name, ctx.store.clock.now(), digest, bool(ctx.params.get("PasswordResetRequired")),
                           max_signin_session_duration=ctx.params.get("MaxSigninSessionDuration"))
    iam.add(profile)
    return {"LoginProfile": login_profile_out(profile)}


@op("iam", "GetLoginProfile", authz=_on_user)
def get_login_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    profile = login_profile_out(login_profile_of(iam, own_user_name(ctx)))
    # A read: whole seconds, as botocore's GetLoginProfile example has it (its CreateLoginProfile example keeps the
    # milliseconds, as the other Create* answers do).
    return {"LoginProfile": {**profile, "CreateDate": read_time(profile["CreateDate"])}}


@op("iam", "UpdateLoginProfile", authz=_on_user)
def update_login_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    profile = login_profile_of(iam, own_user_name(ctx))
    changes: dict = signin_change(ctx.params)
    if ctx.params.get("Password") is not None:
        changes["password_digest"], changes["previous_digests"] = new_digests(iam, ctx.params["Password"], profile)
        changes["password_changed"] = ctx.store.clock.now()
    if ctx.params.get("PasswordResetRequired") is not None:
        changes["password_reset_required"] = ctx.params["PasswordResetRequired"]
    if changes:
        iam.update(profile, **changes)
    return {}


@op("iam", "DeleteLoginProfile", authz=_on_user)
def delete_login_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    iam.remove(login_profile_of(iam, own_user_name(ctx)))
    return {}


# ------------------------------------------------------------------------------------------------ ChangePassword
def _granted_by_policy(ctx: RequestContext) -> bool:
    """AllowUsersToChangePassword: IAM lets every IAM user change its own password (and read the policy)."""
    policy = iam_of(ctx).password_policy
    caller = ctx.caller
    return policy is not None and policy.allow_users_to_change and caller is not None and caller.kind == "User"


_GRANT = "password policy (AllowUsersToChangePassword)"
"""The setting that grants every IAM user ChangePassword on itself and GetAccountPasswordPolicy: an explicit deny still
takes it away (the IAM User Guide's MFA self-management example denies iam:ChangePassword without MFA, and says to
add it to the deny's exceptions to allow it)."""


def _change_password_checks(ctx: RequestContext) -> Iterable[Check]:
    granted = _GRANT if _granted_by_policy(ctx) else None
    caller = ctx.caller
    if caller is not None and caller.kind == "User":
        user = iam_of(ctx).users.get(caller.entity_name)
        if user is not None:
            return (Check("iam:ChangePassword", user.arn, granted_by=granted),)
    return (Check("iam:ChangePassword", caller.arn if caller is not None else "*", granted_by=granted),)


@op("iam", "ChangePassword", authz=_change_password_checks)
def change_password(ctx: RequestContext) -> dict:
    caller = ctx.caller
    if caller is None or caller.kind != "User":
        raise ServiceError("InvalidUserType", "Only IAM users can change their own password with ChangePassword.",
                           400)
    iam = iam_of(ctx)
    profile = login_profile_of(iam, caller.entity_name)
    if not password_matches(ctx.params["OldPassword"], profile.password_digest):
        raise ServiceError("AccessDenied", "The old password is incorrect.", 403)
    digest, history = new_digests(iam, ctx.params["NewPassword"], profile)
    iam.update(profile, password_digest=digest, previous_digests=history, password_reset_required=False,
               password_changed=ctx.store.clock.now())
    return {}


# ------------------------------------------------------------------------------------------------ password policy
_POLICY_FIELDS = {
    "MinimumPasswordLength": ("minimum_length", 6), "RequireSymbols": ("require_symbols", False),
    "RequireNumbers": ("require_numbers", False), "RequireUppercaseCharacters": ("require_uppercase", False),
    "RequireLowercaseCharacters": ("require_lowercase", False),
    "AllowUsersToChangePassword": ("allow_users_to_change", False), "MaxPasswordAge": ("max_age", 0),
    "PasswordReusePrevention": ("reuse_prevention", 0), "HardExpiry": ("hard_expiry", None),
}
"""Wire member -> (PasswordPolicy field, the value IAM uses when the request omits it)."""

_SHOWN_ONLY_WHEN_SET = {"MaxPasswordAge": 0, "PasswordReusePrevention": 0, "HardExpiry": None}
"""Members GetAccountPasswordPolicy leaves out while they hold this (unset) value: AWS's answer for a policy made
without arguments has no MaxPasswordAge, PasswordReusePrevention nor HardExpiry (recorded from AWS: LocalStack
snapshot tests/aws/services/iam/test_iam_account_password_policy, test_update_account_password_policy_defaults)."""

_RANGES = (("MinimumPasswordLength", 6, 128), ("PasswordReusePrevention", 1, 24), ("MaxPasswordAge", 1, 1095))
"""The ranges IAM checks itself (protocol ``SERVICE_CHECKED``), in the order its ValidationError lists them."""


def _range_errors(params: dict) -> list[str]:
    """AWS's wording, which names no value: "Value at 'maxPasswordAge' failed to satisfy constraint: Member must
    have value less than or equal to 1095" (recorded from AWS: LocalStack snapshot test_iam_account_password_policy,
    test_update_account_password_policy_validation_errors; the lower bound is worded alike, mockrunner's reading)."""
    errors = []
    for member, low, high in _RANGES:
        value = params.get(member)
        if value is None or low <= value <= high:
            continue
        bound = f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
        errors.append(f"Value at '{member[0].lower()}{member[1:]}' failed to satisfy constraint: "
                      f"Member must have value {bound}")
    return errors


def _policy_checks(ctx: RequestContext) -> Iterable[Check]:
    if ctx.operation_name == "GetAccountPasswordPolicy" and _granted_by_policy(ctx):
        return tuple(replace(check, granted_by=_GRANT) for check in anything(ctx))
    return anything(ctx)


@op("iam", "UpdateAccountPasswordPolicy", authz=_policy_checks)
def update_account_password_policy(ctx: RequestContext) -> dict:
    """Replaces the whole policy: a member the request omits takes IAM's default, not its previous value."""
    errors = _range_errors(ctx.params)
    if errors:
        count = len(errors)
        raise ServiceError("ValidationError", f"{count} validation error{'s' if count > 1 else ''} detected: "
                           + "; ".join(errors), 400)
    values = {name: ctx.params[member] if ctx.params.get(member) is not None else default
              for member, (name, default) in _POLICY_FIELDS.items()}
    iam_of(ctx).configure(password_policy=PasswordPolicy(**values))
    return {}


@op("iam", "GetAccountPasswordPolicy", authz=_policy_checks)
def get_account_password_policy(ctx: RequestContext) -> dict:
    policy = iam_of(ctx).password_policy
    if policy is None:
        raise ServiceError("NoSuchEntity",
                           f"The Password Policy with domain name {ctx.account.id} cannot be found.", 404)
    out = {member: getattr(policy, name) for member, (name, _) in _POLICY_FIELDS.items()}
    out["ExpirePasswords"] = policy.max_age > 0
    for member, unset in _SHOWN_ONLY_WHEN_SET.items():
        if out[member] == unset:
            del out[member]
    return {"PasswordPolicy": out}


@op("iam", "DeleteAccountPasswordPolicy", authz=_policy_checks)
def delete_account_password_policy(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    if iam.password_policy is None:
        raise ServiceError("NoSuchEntity",
                           "The account policy with name PasswordPolicy cannot be found.", 404)
    iam.configure(password_policy=None)
    return {}

