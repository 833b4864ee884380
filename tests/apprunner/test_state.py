"""App Runner state survives a snapshot round trip, and the admin API settles pending operations."""
from __future__ import annotations

import json

import requests

from mockrunner.config import Settings
from mockrunner.model import snapshot
from tests.apprunner.helpers import create, running


def test_snapshot_round_trip_keeps_services_configurations_and_domains(make_harness):
    source = make_harness("inprocess")
    client = source.client("apprunner")
    arn = running(client, Tags=[{"Key": "team", "Value": "a"}])
    client.create_auto_scaling_configuration(AutoScalingConfigurationName="kept-asc")
    client.associate_custom_domain(ServiceArn=arn, DomainName="example.com")
    target = make_harness("inprocess")
    snapshot.import_state(target.store, json.loads(json.dumps(snapshot.export_state(source.store))))
    copy = target.client("apprunner")
    assert copy.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    assert copy.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    names = [i["AutoScalingConfigurationName"] for i in
             copy.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]]
    assert names == ["DefaultConfiguration", "kept-asc"]
    assert copy.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0]["DomainName"] == "example.com"


def test_admin_settle_completes_pending_operations(make_harness):
    server = make_harness("server", Settings(log_requests=False, operation_delay=600))
    client = server.client("apprunner")
    arn = create(client)["Service"]["ServiceArn"]
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    answer = requests.post(f"{server.endpoint_url}/_mockrunner/settle", timeout=10)
    assert answer.status_code == 200 and answer.json()["settled"] == 1
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
