"""``aws:SourceIp`` when mockrunner listens on an IPv6 socket (``mockrunner serve --host ::``): Linux hands an IPv4
client's address to such a socket as ``::ffff:127.0.0.1``, but the client spoke IPv4, as it would to AWS, so its
policies' IPv4 ranges must hold (the engine itself never compares an IPv4-mapped address: unknown, fail closed)."""
from __future__ import annotations

import json
import socket

import boto3
import pytest
from botocore.exceptions import ClientError

from mockrunner.testing.server import ThreadedServer

#: IPv4's loopback as an IPv6 socket names it: the listener stays on loopback (``::`` would open every interface)
#: and still sees its IPv4 clients as ``::ffff:127.0.0.1``, as ``--host ::`` does.
LOOPBACK_MAPPED = "::ffff:127.0.0.1"


def _dual_stack() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK_MAPPED, 0))
            return probe.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _dual_stack(), reason="no dual-stack IPv6 socket on this machine")


def _iam(port: int, key: str = "test", secret: str = "test"):
    return boto3.client("iam", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id=key, aws_secret_access_key=secret)


@pytest.mark.parametrize(("network", "allowed"), [("127.0.0.0/8", True), ("10.0.0.0/8", False)])
def test_an_ipv4_client_of_an_ipv6_listener_is_matched_as_ipv4(network, allowed):
    with ThreadedServer(host=LOOPBACK_MAPPED) as server:
        root = _iam(server.port)
        root.create_user(UserName="ip")
        root.put_user_policy(UserName="ip", PolicyName="from-here", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                                                    "Condition": {"IpAddress": {"aws:SourceIp": network}}}]}))
        key = root.create_access_key(UserName="ip")["AccessKey"]
        user = _iam(server.port, key["AccessKeyId"], key["SecretAccessKey"])
        if allowed:
            assert user.get_user()["User"]["UserName"] == "ip"
        else:
            with pytest.raises(ClientError) as denied:
                user.get_user()
            assert denied.value.response["Error"]["Code"] == "AccessDenied"
        entry = [e for e in server.store.decision_log if e["action"] == "iam:GetUser"][-1]
        assert entry["context"]["aws:SourceIp"] == "127.0.0.1"
