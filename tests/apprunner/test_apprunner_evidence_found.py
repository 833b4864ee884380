"""App Runner answers that public sources showing AWS's own behaviour confirm, checked through boto3 in both modes.

Each test names its source; docs/behaviour.md ("App Runner: evidence found, second search") has the rest.
"""
from __future__ import annotations

import itertools

import pytest

from tests.apprunner.helpers import code, error_of, message, running

#: The CPU -> memory pairs AWS's CDK documents for App Runner (``@aws-cdk/aws-apprunner-alpha`` ``Memory``:
#: "0.5 GB (for 0.25 vCPU)", "1 GB (for 0.25 or 0.5 vCPU)", "2 GB (for 1 vCPU)", "3 GB (for 1 vCPU)",
#: "4 GB (for 1 or 2 vCPU)", "6 GB (for 2 vCPU)", "8/10/12 GB (for 4 vCPU)").
CDK_PAIRS = {
    "0.25 vCPU": ("0.5 GB", "1 GB"),
    "0.5 vCPU": ("1 GB",),
    "1 vCPU": ("2 GB", "3 GB", "4 GB"),
    "2 vCPU": ("4 GB", "6 GB"),
    "4 vCPU": ("8 GB", "10 GB", "12 GB"),
}
MEMORIES = ("0.5 GB", "1 GB", "2 GB", "3 GB", "4 GB", "6 GB", "8 GB", "10 GB", "12 GB")


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def test_only_the_cpu_memory_pairs_aws_documents_are_accepted(apprunner):
    """AWS's CDK reference for App Runner's ``Memory`` class names the vCPU each memory size goes with; every
    pair it names is accepted and every other pair of model-valid values is refused with
    ``InvalidRequestException`` (the refusal's wording stays unverified)."""
    arn = running(apprunner)
    for cpu, memory in itertools.product(CDK_PAIRS, MEMORIES):
        config = {"Cpu": cpu, "Memory": memory}
        if memory in CDK_PAIRS[cpu]:
            apprunner.update_service(ServiceArn=arn, InstanceConfiguration=config)
            got = apprunner.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"]
            assert (got["Cpu"], got["Memory"]) == (str(int(float(cpu.split()[0]) * 1024)),
                                                   str(int(float(memory.split()[0]) * 1024)))
        else:
            error = error_of(apprunner.update_service, ServiceArn=arn, InstanceConfiguration=config)
            assert code(error) == "InvalidRequestException", config


def test_associating_a_domain_again_is_an_invalid_request_naming_the_domain(apprunner):
    """aws/copilot-cli's App Runner custom-domain handler (``cf-custom-resources/lib/custom-domain-app-runner.js``,
    AWS's own tool) treats a repeated AssociateCustomDomain as done when the error is ``InvalidRequestException``
    and its message includes ``"<domain> is already associated with"``; the rest of the sentence is unverified."""
    arn = running(apprunner)
    apprunner.associate_custom_domain(ServiceArn=arn, DomainName="shop.example.com")
    error = error_of(apprunner.associate_custom_domain, ServiceArn=arn, DomainName="shop.example.com")
    assert code(error) == "InvalidRequestException"
    assert "shop.example.com is already associated with" in message(error)


def test_a_domain_one_service_has_is_refused_to_another_until_it_lets_go(apprunner):
    """aws/apprunner-roadmap#245: a domain associated with one service cannot be added to a second one ("we can't
    add the domain name *.example.com to this new one"); once the first service is deleted it can."""
    first, second = running(apprunner, "blue"), running(apprunner, "green")
    apprunner.associate_custom_domain(ServiceArn=first, DomainName="*.example.com", EnableWWWSubdomain=False)
    error = error_of(apprunner.associate_custom_domain, ServiceArn=second, DomainName="*.Example.com.",
                     EnableWWWSubdomain=False)
    assert code(error) == "InvalidRequestException"
    assert "*.example.com is already associated with another service" in message(error)
    assert apprunner.describe_custom_domains(ServiceArn=second)["CustomDomains"] == []
    apprunner.delete_service(ServiceArn=first)
    assert apprunner.describe_service(ServiceArn=first)["Service"]["Status"] == "DELETED"
    apprunner.associate_custom_domain(ServiceArn=second, DomainName="*.example.com", EnableWWWSubdomain=False)
    assert [d["DomainName"] for d in apprunner.describe_custom_domains(ServiceArn=second)["CustomDomains"]] == [
        "*.example.com"]


def test_a_private_endpoint_is_ipv4_only(apprunner):
    """CloudFormation's ``AWS::AppRunner::Service NetworkConfiguration``: "Only IPv4 is supported for Private
    endpoint. If you update a service that's using dual-stack Public endpoint to a Private endpoint, your App Runner
    service will default to support only IPv4"."""
    arn = running(apprunner, NetworkConfiguration={"IpAddressType": "DUAL_STACK"})

    def network() -> dict:
        return apprunner.describe_service(ServiceArn=arn)["Service"]["NetworkConfiguration"]

    assert network()["IpAddressType"] == "DUAL_STACK"
    apprunner.update_service(ServiceArn=arn, NetworkConfiguration={
        "IngressConfiguration": {"IsPubliclyAccessible": False}})
    assert network()["IngressConfiguration"] == {"IsPubliclyAccessible": False}
    assert network()["IpAddressType"] == "IPV4"
    apprunner.update_service(ServiceArn=arn, NetworkConfiguration={"IpAddressType": "DUAL_STACK"})
    assert network()["IpAddressType"] == "IPV4"  # still private
    apprunner.update_service(ServiceArn=arn, NetworkConfiguration={
        "IngressConfiguration": {"IsPubliclyAccessible": True}, "IpAddressType": "DUAL_STACK"})
    assert network()["IpAddressType"] == "DUAL_STACK"
