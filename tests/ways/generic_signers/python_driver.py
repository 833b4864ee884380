"""Python's generic signers driven by JSON, run with the system Python (Debian's python3-aws-requests-auth and
python3-boto): ``python3 python_driver.py ENDPOINT`` reads one JSON array of requests on stdin, sends them in order
and prints one JSON object: each request's name -> its answer.

A request: {"name", "signer": "aws-requests-auth" | "boto2" | "boto2-sigv2", "service", "region", "method", "path",
"query": [[K, V]...], "form": [[K, V]...], "json" (a raw POST body), "headers": [[K, V]...], "credentials":
{"accessKeyId", "secretAccessKey", "sessionToken"} or {"from": NAME} (the Credentials of an earlier STS answer)}.
aws-requests-auth signs for the endpoint's own host:port and sends with requests (``params`` and ``data``: a space
as '+').  boto 2 sends ``Action`` with the other ``form`` (or ``query``) parameters through its IAMConnection or
STSConnection ``make_request`` (POST for ``form``, GET for ``query``), signed by its hmac-v4 handler; ``boto2-sigv2``
pins boto 2's Signature Version 2 handler (``sign-v2``, HmacSHA256) instead; "call": [METHOD, ARGS...] calls one of
boto 2's own request methods and answers with its parsed result.  An answer: {"status", "contentType", "body"}
(status 0: the driver failed, body says why; a parsed result is status 200 and its JSON).
"""
import json
import re
import sys
from urllib.parse import urlsplit

import boto.exception
import requests
from aws_requests_auth.aws_auth import AWSRequestsAuth
from boto.iam.connection import IAMConnection
from boto.regioninfo import RegionInfo
from boto.sts.connection import STSConnection

ENDPOINT = urlsplit(sys.argv[1])
ROOT = {"accessKeyId": "test", "secretAccessKey": "test"}
CONNECTIONS = {"iam": IAMConnection, "sts": STSConnection}
answers = {}


def credentials(given):
    if not given:
        return ROOT
    if "from" not in given:
        return given
    found = re.search(r"<Credentials>(.*)</Credentials>", answers[given["from"]]["body"], re.S).group(1)
    tag = {name: re.search(f"<{name}>([^<]*)</{name}>", found).group(1)
           for name in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
    return {"accessKeyId": tag["AccessKeyId"], "secretAccessKey": tag["SecretAccessKey"],
            "sessionToken": tag["SessionToken"]}


def with_aws_requests_auth(call, keys):
    auth = AWSRequestsAuth(aws_access_key=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"],
                           aws_host=ENDPOINT.netloc, aws_region=call.get("region", "us-east-1"),
                           aws_service=call["service"], aws_token=keys.get("sessionToken"))
    data = call["json"].encode("utf-8") if "json" in call else call.get("form")
    method = call.get("method") or ("POST" if data is not None else "GET")
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment
    response = session.request(method, f"{ENDPOINT.scheme}://{ENDPOINT.netloc}{call.get('path', '/')}",
                               params=call.get("query"), data=data, headers=dict(call.get("headers", [])),
                               auth=auth, timeout=30)
    return {"status": response.status_code, "contentType": response.headers.get("Content-Type"),
            "body": response.text}


def connection(call, keys):
    kind = CONNECTIONS[call["service"]]
    if call["signer"] == "boto2-sigv2":
        kind = type("SigV2" + kind.__name__, (kind,), {"_required_auth_capability": lambda self: ["sign-v2"]})
    where = ({"region": RegionInfo(None, "us-east-1", ENDPOINT.hostname)} if call["service"] == "sts"
             else {"host": ENDPOINT.hostname})
    made = kind(aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"],
                security_token=keys.get("sessionToken"), is_secure=False, port=ENDPOINT.port, proxy=None, **where)
    made.num_retries = 0
    if call["signer"] == "boto2":  # the scope hmac-v4 would otherwise read from the host name 127.0.0.1
        made.auth_region_name = call.get("region", "us-east-1")
        made.auth_service_name = call["service"]
    return made


def with_boto2(call, keys):
    made = connection(call, keys)
    if "call" in call:
        method, *args = call["call"]
        try:
            result = getattr(made, method)(*args)
        except boto.exception.BotoServerError as error:
            return {"status": error.status, "contentType": None, "body": error.body.decode("utf-8")
                    if isinstance(error.body, bytes) else error.body, "errorCode": error.error_code}
        body = json.dumps(result, default=lambda found: getattr(found, "__dict__", str(found)))
        return {"status": 200, "contentType": "application/json", "body": body}
    pairs = dict(call.get("form") or call.get("query") or [])
    action = pairs.pop("Action")
    response = made.make_request(action, pairs, call.get("path", "/"), "POST" if "form" in call else "GET")
    return {"status": response.status, "contentType": response.getheader("Content-Type"),
            "body": response.read().decode("utf-8")}


SIGNERS = {"aws-requests-auth": with_aws_requests_auth, "boto2": with_boto2, "boto2-sigv2": with_boto2}

for call in json.load(sys.stdin):
    try:
        answers[call["name"]] = SIGNERS[call["signer"]](call, credentials(call.get("credentials")))
    except Exception as error:  # the driver's own failure, reported as such
        answers[call["name"]] = {"status": 0, "contentType": None, "body": f"driver: {error!r}"}
print(json.dumps(answers))
