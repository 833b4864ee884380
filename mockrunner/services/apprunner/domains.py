"""Custom domains of a service: CREATING -> PENDING_CERTIFICATE_DNS_VALIDATION, DELETING -> gone
(docs/behaviour.md, "App Runner: custom domains").

Certificates are never validated locally (there is no DNS to look at), so domains stay pending validation.
``DNSTarget`` is the service's default domain (unverified); ``VpcDNSTargets`` lists the service's VPC ingress
connections.
"""
from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from mockrunner.model.apprunner import AppRunnerState, CustomDomain, Service
from mockrunner.services.apprunner import arns, authz, lifecycle
from mockrunner.services.apprunner.errors import invalid, not_found
from mockrunner.services.apprunner.lifecycle import apprunner_op, state_of
from mockrunner.services.apprunner.pagination import paginate
from mockrunner.services.apprunner.services import get_service, require_status

if TYPE_CHECKING:
    from mockrunner.context import RequestContext


def _check_domain_name(domain_name: str, enable_www: bool) -> None:
    """Wildcards only as ``*.<root>`` and without www (model docs); no empty labels, at least two of them.

    The model's pattern ``[A-Za-z0-9*.-]{1,255}`` lets ``.``, ``a..b``, ``*``, ``-a.example.com`` or
    ``example.c`` through; ACM could not issue a certificate for them (:data:`ACM_DOMAIN_NAME`), so they are
    refused here (wording unverified).
    """
    labels = domain_name.split(".")
    wildcard = labels[0] == "*"
    root = labels[1:] if wildcard else labels
    if len(root) < 2 or any(label == "" for label in root):
        raise invalid(f"The domain name {domain_name} isn't valid.")  # unverified wording
    if wildcard and enable_www:
        raise invalid("EnableWWWSubdomain isn't supported for a wildcard domain.")  # unverified wording
    if any("*" in label for label in root):
        raise invalid(f"The domain name {domain_name} isn't valid. Wildcards are only allowed as the first label "
                      "(*.example.com).")  # unverified wording
    if not ACM_DOMAIN_NAME.fullmatch(domain_name):
        raise invalid(f"The domain name {domain_name} isn't valid.")  # unverified wording


ACM_DOMAIN_NAME = re.compile(r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])")
"""The names ACM issues certificates for (``DomainNameString`` of ACM's API model), which App Runner's custom
domains are: no label starts or ends with a hyphen, none is longer than 63 characters, the last is at least two."""


def _records(domain: str, enable_www: bool) -> list[dict]:
    """ACM DNS validation CNAMEs: one for the domain, one for its www. subdomain when enabled, and one for a
    subdomain App Runner picks (a random label under the domain; its form is unverified).

    Terraform's custom domain acceptance test against AWS reads back 3 records for a domain with www
    (terraform-provider-aws ``custom_domain_association_test.go``); aws/apprunner-roadmap#138 lists records for
    ``_123.example.com`` and ``_123.abc.example.com``.  Without www that leaves 2 (inferred).
    """
    root = domain.removeprefix("*.")
    names = [domain] + ([f"www.{domain}"] if enable_www else []) + [f"{arns.random_label(32)}.{root}"]
    records = []
    for name in names:
        digest = hashlib.sha256(name.encode()).hexdigest()
        records.append({"Name": f"_{digest[:32]}.{name.removeprefix('*.')}.", "Type": "CNAME",
                        "Value": f"_{digest[32:]}.{arns.random_label(10)}.acm-validations.aws.",
                        "Status": "PENDING_VALIDATION"})
    return records


def domain_view(domain: CustomDomain) -> dict:
    """``Status`` in lower case (``creating``, ``pending_certificate_dns_validation``, ``binding_certificate``,
    ``active``, ``deleting``), as App Runner answers it despite its model's upper-case enum: Terraform's waiters
    and acceptance tests against AWS expect exactly these (terraform-provider-aws apprunner status.go)."""
    return {"DomainName": domain.domain_name, "EnableWWWSubdomain": domain.enable_www,
            "CertificateValidationRecords": [dict(record) for record in domain.validation_records],
            "Status": domain.status.lower()}


def vpc_targets(state: AppRunnerState, service: Service) -> list[dict]:
    return [{"VpcIngressConnectionArn": item.arn, "VpcId": item.vpc_id, "DomainName": item.domain_name}
            for item in state.vpc_ingress_connections.values()
            if item.service_arn == service.arn and item.status != "DELETED"]


@apprunner_op("AssociateCustomDomain", authz.on_target("ServiceArn", "service"))
def associate(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    require_status(service, "AssociateCustomDomain")
    domain_name = ctx.params["DomainName"].lower().rstrip(".")
    enable_www = ctx.params.get("EnableWWWSubdomain", True)
    _check_domain_name(domain_name, enable_www)
    if domain_name in service.custom_domains:
        # The code and "<domain> is already associated with": AWS's answer as aws/copilot-cli matches it; the
        # rest of the sentence is unverified.
        raise invalid(f"The domain {domain_name} is already associated with the service.")
    holder = next((other for other in state.services.values() if other.status != "DELETED"
                   and domain_name in other.custom_domains), None)
    if holder is not None:
        # One domain, one service (aws/apprunner-roadmap#245): the code and the sentence's start as above; the
        # rest, and the scope (the account's services in the region), unverified.
        raise invalid(f"The domain {domain_name} is already associated with another service: {holder.arn}.")
    limit = ctx.store.settings.quotas.apprunner_max_custom_domains
    if len(service.custom_domains) >= limit:
        # Associate declares no ServiceQuotaExceededException; the DG limit is 5 per service.
        raise invalid(f"You can associate at most {limit} custom domains with a service.")  # unverified wording
    moment = ctx.store.clock.now()
    domain = CustomDomain(domain_name=domain_name, enable_www=enable_www, status="CREATING", created_at=moment,
                          validation_records=_records(domain_name, enable_www))
    service.custom_domains[domain_name] = domain
    lifecycle.schedule(ctx.store, state, "domain_created", service.arn, moment, key=domain_name)
    return {"DNSTarget": service.url, "ServiceArn": service.arn, "CustomDomain": domain_view(domain),
            "VpcDNSTargets": vpc_targets(state, service)}


@apprunner_op("DescribeCustomDomains", authz.on_target("ServiceArn", "service"))
def describe(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"])
    page, token = paginate("DescribeCustomDomains", ctx.params, service.custom_domains.values(),
                           filters={"ServiceArn": service.arn})
    return {"DNSTarget": service.url, "ServiceArn": service.arn,
            "CustomDomains": [domain_view(domain) for domain in page], "VpcDNSTargets": vpc_targets(state, service),
            "NextToken": token}


@apprunner_op("DisassociateCustomDomain", authz.on_target("ServiceArn", "service"))
def disassociate(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    domain_name = ctx.params["DomainName"].lower().rstrip(".")
    domain = service.custom_domains.get(domain_name)
    if domain is None or domain.status == "DELETING":
        # aws/copilot-cli's custom-domain-app-runner.js treats a delete as done when AWS's message includes
        # "No custom domain <domain> found for the provided service" (the end of the sentence is unverified);
        # terraform-provider-aws does the same on the code.
        raise not_found(f"No custom domain {domain_name} found for the provided service.")
    require_status(service, "DisassociateCustomDomain")
    domain.status = "DELETING"
    lifecycle.schedule(ctx.store, state, "domain_deleted", service.arn, ctx.store.clock.now(), key=domain_name)
    return {"DNSTarget": service.url, "ServiceArn": service.arn, "CustomDomain": domain_view(domain),
            "VpcDNSTargets": vpc_targets(state, service)}
