"""What terraform-provider-aws's App Runner acceptance tests (run against AWS) and its waiters show AWS answering,
checked through boto3 in both modes.  Each test names the provider file it rests on
(``internal/service/apprunner/...``); docs/behaviour.md has the rest of the evidence."""
from __future__ import annotations

import pytest

from tests.apprunner.helpers import DEFAULT_ASC, SERVICE_URL, code, create, error_of, message, running

PRIVATE = {"IngressConfiguration": {"IsPubliclyAccessible": False}}
PUBLIC = {"IngressConfiguration": {"IsPubliclyAccessible": True}}


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def test_private_service_has_no_service_url_and_custom_domains_give_its_target(apprunner):
    """``service.go`` reads ``DNSTarget`` from DescribeCustomDomains when ``ServiceUrl`` is empty ("Alternate
    lookup required for private services") and ``service_test.go`` expects ``service_url`` set for a private
    service; aws/aws-sdk-go#4635 shows DescribeService without ``ServiceUrl`` for one."""
    created = create(apprunner, "private-svc", NetworkConfiguration=PRIVATE)["Service"]
    arn = created["ServiceArn"]
    assert "ServiceUrl" not in created
    assert "ServiceUrl" not in apprunner.describe_service(ServiceArn=arn)["Service"]
    summaries = apprunner.list_services()["ServiceSummaryList"]
    assert [s.get("ServiceUrl") for s in summaries if s["ServiceArn"] == arn] == [None]
    target = apprunner.describe_custom_domains(ServiceArn=arn)["DNSTarget"]
    assert SERVICE_URL.match(target)
    apprunner.update_service(ServiceArn=arn, NetworkConfiguration=PUBLIC)
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"] == target


def test_public_service_url_is_the_custom_domains_target(apprunner):
    arn = running(apprunner, "public-svc")
    url = apprunner.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"]
    assert SERVICE_URL.match(url) and apprunner.describe_custom_domains(ServiceArn=arn)["DNSTarget"] == url


def test_custom_domain_has_three_validation_records_with_www(apprunner):
    """``custom_domain_association_test.go``: ``certificate_validation_records.# = 3`` for a domain with the
    www subdomain (the default); the third is for a subdomain App Runner picks (aws/apprunner-roadmap#138)."""
    arn = running(apprunner)
    records = apprunner.associate_custom_domain(
        ServiceArn=arn, DomainName="example.com")["CustomDomain"]["CertificateValidationRecords"]
    names = [record["Name"] for record in records]
    assert len(records) == 3 and all(record["Type"] == "CNAME" for record in records)
    assert names[0].endswith(".example.com.") and names[0].count(".") == 3
    assert names[1].endswith(".www.example.com.")
    assert names[2].endswith(".example.com.") and names[2].count(".") == 4 and ".www." not in names[2]
    assert all(record["Value"].endswith(".acm-validations.aws.") for record in records)
    described = apprunner.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0]
    assert described["CertificateValidationRecords"] == records
    assert described["Status"] == "pending_certificate_dns_validation"
    without_www = apprunner.associate_custom_domain(ServiceArn=arn, DomainName="app.example.org",
                                                    EnableWWWSubdomain=False)
    assert len(without_www["CustomDomain"]["CertificateValidationRecords"]) == 2


def test_default_auto_scaling_configuration_is_reserved(apprunner):
    """``default_auto_scaling_configuration_version_test.go`` restores the prior default "else
    \\"InvalidRequestException: You can't delete a reserved auto scaling configuration\\"" (the whole answer, with
    its unfilled "'%s'", is quoted in hashicorp/terraform-provider-aws#19840)."""
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="tf-default")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    apprunner.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=arn)
    assert (code(error), message(error)) == ("InvalidRequestException",
                                             "You can't delete a reserved auto scaling configuration: '%s'.")
    apprunner.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    deleted = apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    assert deleted["AutoScalingConfiguration"]["Status"] == "inactive"


def test_service_auto_scaling_summary_status_is_lower_case_like_the_configuration(apprunner):
    """``auto_scaling_configuration_version.go`` waits for ``active``; the summary in DescribeService is the
    same shape as ListAutoScalingConfigurations' and answers the same case."""
    arn = running(apprunner)
    summary = apprunner.describe_service(ServiceArn=arn)["Service"]["AutoScalingConfigurationSummary"]
    listed = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert summary["Status"] == "active" == listed[0]["Status"]
