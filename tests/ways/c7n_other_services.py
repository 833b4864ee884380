"""Canned answers of the AWS services c7n's role and instance-profile usage filters (``used``/``unused``) scan
before they read IAM, none of which mockrunner serves: Lambda (one function running as a given role), ECS (no
clusters), EC2 (no instances), Auto Scaling (no launch configurations) and the tagging API (no tags).

:class:`OtherServices` answers them on a loopback port; the test points c7n's ``AWS_ENDPOINT_URL_<SERVICE>`` at
it, and everything IAM goes to mockrunner.  Any request it does not know gets a 400, so a new call c7n starts
making fails the test instead of being answered wrongly.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ENV_NAMES = ("LAMBDA", "ECS", "EC2", "AUTO_SCALING", "RESOURCE_GROUPS_TAGGING_API")
"""The ``AWS_ENDPOINT_URL_<NAME>`` suffixes of the services answered here."""

_JSON_TARGETS = {
    "AmazonEC2ContainerServiceV20141113.DescribeClusters": {"clusters": [], "failures": []},
    "ResourceGroupsTaggingAPI_20170126.GetResources": {"ResourceTagMappingList": [], "PaginationToken": ""},
}
_QUERY_ACTIONS = {
    "DescribeInstances": '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                         "<requestId>1</requestId><reservationSet/></DescribeInstancesResponse>",
    "DescribeLaunchConfigurations": (
        '<DescribeLaunchConfigurationsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">'
        "<DescribeLaunchConfigurationsResult><LaunchConfigurations/></DescribeLaunchConfigurationsResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeLaunchConfigurationsResponse>"),
}


class OtherServices:
    """A loopback HTTP server answering the calls above; ``lambda_roles`` are the roles of its Lambda functions."""

    def __init__(self, account: str, lambda_roles: dict[str, str]) -> None:
        functions = [{"FunctionName": name, "Role": f"arn:aws:iam::{account}:role/{role}",
                      "FunctionArn": f"arn:aws:lambda:us-east-1:{account}:function:{name}"}
                     for name, role in lambda_roles.items()]
        answers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def _send(self, status: int, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path.startswith("/2015-03-31/functions"):
                    return self._send(200, json.dumps({"Functions": functions}), "application/json")
                answers.unknown.append(f"GET {self.path}")
                return self._send(400, "{}", "application/json")

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                target = self.headers.get("X-Amz-Target")
                if target in _JSON_TARGETS:
                    return self._send(200, json.dumps(_JSON_TARGETS[target]), "application/x-amz-json-1.1")
                action = parse_qs(body).get("Action", [""])[0]
                if action in _QUERY_ACTIONS:
                    return self._send(200, _QUERY_ACTIONS[action], "text/xml")
                answers.unknown.append(f"POST {self.path} {target or action}")
                return self._send(400, "{}", "application/json")

        self.unknown: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def environment(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return {f"AWS_ENDPOINT_URL_{name}": url for name in ENV_NAMES}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
