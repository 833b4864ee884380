"""Run by ``tests/ways/test_newer_botocore.py`` with ``AWS_DATA_PATH`` naming models that have operations
mockrunner's do not (as a botocore newer than the one mockrunner's models come from): calls them through boto3,
in-process under ``mock_apprunner`` and against a server on this process's loopback, and prints the answers as
JSON."""
from __future__ import annotations

import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner import mock_apprunner
from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer

ONCE = Config(retries={"total_max_attempts": 1})


def _answer(call) -> dict:
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"],
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {"code": None}


def calls(session: boto3.Session, **where) -> dict:
    iam = session.client("iam", config=ONCE, **where)
    ecr = session.client("ecr", config=ONCE, **where)
    return {"iam_new": _answer(lambda: iam.describe_newer_thing()),
            "ecr_new": _answer(lambda: ecr.describe_newer_thing()),
            "iam_known": _answer(lambda: iam.list_users()),
            "ecr_known": _answer(lambda: ecr.describe_repositories())}


def main() -> None:
    out = {}
    with mock_apprunner():
        out["inprocess"] = calls(boto3.Session(region_name="us-east-1"))
    with ThreadedServer(Settings(log_requests=False)).start() as server:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        out["server"] = calls(session, endpoint_url=server.endpoint_url)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
