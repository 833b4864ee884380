"""Settings from the environment and flags: explicit, validated, never silently ignored."""
from __future__ import annotations

import pytest

from mockrunner.config import AccountKeys, Quotas, Settings, parse_accounts, parse_quotas


def test_environment_variables_are_read():
    settings = Settings.from_env({
        "MOCKRUNNER_ENFORCE": "SOFT", "MOCKRUNNER_ACCOUNT_ID": "111122223333", "MOCKRUNNER_REGION": "eu-west-1",
        "MOCKRUNNER_ACCOUNTS": "444455556666:AKIAOTHER:secret", "MOCKRUNNER_OPERATION_DELAY": "0.5",
        "MOCKRUNNER_ADMIN_REMOTE": "1", "MOCKRUNNER_ADMIN_TOKEN": "t0k",
        "MOCKRUNNER_QUOTAS": "apprunner_max_services=3",
    })
    assert settings.enforce == "soft"
    assert settings.default_account == "111122223333"
    assert settings.default_region == "eu-west-1"
    assert settings.extra_accounts == (AccountKeys("444455556666", "AKIAOTHER", "secret"),)
    assert settings.operation_delay == 0.5
    assert settings.admin_remote is True
    assert settings.quotas.apprunner_max_services == 3
    assert [keys.account_id for keys in settings.root_accounts] == ["111122223333", "444455556666"]


def test_overrides_win_over_environment():
    settings = Settings.from_env({"MOCKRUNNER_ENFORCE": "off"}, enforce="on", default_region=None)
    assert settings.enforce == "on"
    assert settings.default_region == "us-east-1"


@pytest.mark.parametrize("env, message", [
    ({"MOCKRUNNER_ENFORCE": "maybe"}, "^MOCKRUNNER_ENFORCE: enforce must be one of on, soft, off, not 'maybe'"),
    ({"MOCKRUNNER_ACCOUNT_ID": "12ab"}, "^MOCKRUNNER_ACCOUNT_ID: default account must be 12 digits"),
    ({"MOCKRUNNER_OPERATION_DELAY": "-1"}, "^MOCKRUNNER_OPERATION_DELAY: operation delay must be >= 0"),
    # not a finite number of seconds: every CreateService would compute a due time that is no date (a 500)
    ({"MOCKRUNNER_OPERATION_DELAY": "nan"},
     "^MOCKRUNNER_OPERATION_DELAY: operation delay must be >= 0 and <= 1000000000 seconds"),
    ({"MOCKRUNNER_OPERATION_DELAY": "inf"},
     "^MOCKRUNNER_OPERATION_DELAY: operation delay must be >= 0 and <= 1000000000 seconds"),
    ({"MOCKRUNNER_OPERATION_DELAY": "soon"}, "^MOCKRUNNER_OPERATION_DELAY: "),
    ({"MOCKRUNNER_QUOTAS": "apprunner_deleted_retention=nan"}, "apprunner_deleted_retention must be >= 0 and <="),
    ({"MOCKRUNNER_QUOTAS": "apprunner_deleted_retention=1e300"}, "apprunner_deleted_retention must be >= 0 and <="),
    ({"MOCKRUNNER_ACCOUNTS": "123:KEY"}, "ACCOUNT_ID:ACCESS_KEY_ID:SECRET_ACCESS_KEY"),
    ({"MOCKRUNNER_QUOTAS": "apprunner_max_services=lots"}, "needs a whole number"),
    ({"MOCKRUNNER_QUOTAS": "nonsense"}, "NAME=VALUE"),
    # a yes/no variable that is neither is refused, not read as "no"
    ({"MOCKRUNNER_LOG_REQUESTS": "maybe"}, "^MOCKRUNNER_LOG_REQUESTS: expected one of 1, true, yes, on, 0, false"),
    ({"MOCKRUNNER_ADMIN_REMOTE": "sure", "MOCKRUNNER_ADMIN_TOKEN": "t"}, "^MOCKRUNNER_ADMIN_REMOTE: expected"),
    # a default region no request could be signed for
    ({"MOCKRUNNER_REGION": "mars-1"}, "^MOCKRUNNER_REGION: 'mars-1' is not a region of the aws partition"),
    # a value refused by the field's own rule names the variable it came from, as a value that does not parse does
    ({"MOCKRUNNER_ADMIN_TOKEN": "two words"}, "^MOCKRUNNER_ADMIN_TOKEN: the admin token must be printable ASCII"),
    ({"MOCKRUNNER_ADMIN_HOSTS": "ok,host:80"}, "^MOCKRUNNER_ADMIN_HOSTS: admin host 'host:80' is not a host name"),
])
def test_bad_values_are_refused_with_a_reason(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_a_flag_replaces_a_variable_its_own_rule_refuses():
    """The flag wins, so the variable it replaces is not held to the field's rule."""
    settings = Settings.from_env({"MOCKRUNNER_ENFORCE": "maybe", "MOCKRUNNER_OPERATION_DELAY": "-1"}, enforce="soft",
                                 operation_delay=0.0)
    assert (settings.enforce, settings.operation_delay) == ("soft", 0.0)


def test_yes_no_variables_and_regions_read_as_written():
    settings = Settings.from_env({"MOCKRUNNER_LOG_REQUESTS": "Off", "MOCKRUNNER_ADMIN_REMOTE": "YES",
                                  "MOCKRUNNER_ADMIN_TOKEN": "t", "MOCKRUNNER_REGION": "eu-west-1"})
    assert (settings.log_requests, settings.admin_remote, settings.default_region) == (False, True, "eu-west-1")


def test_quotas_parse_over_a_base():
    base = parse_quotas("apprunner_max_tags=10")
    assert base.apprunner_max_tags == 10
    both = parse_quotas("apprunner_deleted_retention=2.5", base)
    assert (both.apprunner_max_tags, both.apprunner_deleted_retention) == (10, 2.5)
    assert Quotas().apprunner_max_services == 30
    assert parse_accounts("") == ()
