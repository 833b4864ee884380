"""App Runner state of one account in one region.

Entities are dataclasses of plain values; configuration members the API echoes back (source, instance, health
check, network, ...) are kept as the wire-shaped dicts they are, already normalised and with defaults filled in,
because App Runner returns them exactly as stored.  Entities refer to each other by ARN only.

Collections are insertion-ordered dicts keyed by ARN so that a page of a listing is a slice of the dict, and the
cost of one page does not grow with the number of resources in the account.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

PROVIDED_ID = "00000000000000000000000000000001"
"""The fixed id of the App Runner-provided ``DefaultConfiguration`` revisions."""
DEFAULT_NAME = "DefaultConfiguration"
PROVIDED_CREATED_AT = datetime(2021, 5, 18, tzinfo=UTC)
"""``CreatedAt`` of the provided revisions: App Runner's launch day, the same whenever a region is first looked at
(the seed is made by whichever request looks first, often a read, which is not saved: a time taken then would be
another after a restart).  AWS's own value is not public (unverified)."""


@dataclass
class OperationRecord:
    """One asynchronous service operation (what ListOperations shows)."""

    id: str
    type: str
    status: str
    target_arn: str
    started_at: datetime
    updated_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    failure_reason: str | None = None
    prior_status: str | None = None
    """The service status before the operation (an UpdateService of a CREATE_FAILED service fails back to it)."""
    rollback: dict | None = None
    """The service configuration before an update; restored when the deployment fails."""


@dataclass
class CustomDomain:
    domain_name: str
    enable_www: bool
    status: str
    created_at: datetime
    validation_records: list[dict] = field(default_factory=list)


@dataclass
class Service:
    name: str
    id: str
    arn: str
    url: str
    created_at: datetime
    updated_at: datetime
    status: str
    source_configuration: dict
    instance_configuration: dict
    health_check_configuration: dict
    network_configuration: dict
    auto_scaling_configuration_arn: str
    observability_configuration: dict | None = None
    encryption_configuration: dict | None = None
    deleted_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    operations: list[OperationRecord] = field(default_factory=list)
    """Oldest first; ListOperations reverses."""
    custom_domains: dict[str, CustomDomain] = field(default_factory=dict)
    failure_reason: str | None = None
    """Why the last deployment failed (for the admin API); ``None`` after a successful one."""
    image_digest: str | None = None
    """The digest of the private ECR image the service runs, as resolved when its last deployment succeeded."""


@dataclass
class RevisionedConfiguration:
    """Fields shared by auto scaling and observability configurations (name / revision / id ARNs)."""

    arn: str
    name: str
    revision: int
    id: str
    created_at: datetime
    status: str = "ACTIVE"
    latest: bool = True
    deleted_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class AutoScalingConfiguration(RevisionedConfiguration):
    max_concurrency: int = 100
    min_size: int = 1
    max_size: int = 25
    is_default: bool = False


@dataclass
class ObservabilityConfiguration(RevisionedConfiguration):
    trace_configuration: dict | None = None


@dataclass
class Connection:
    arn: str
    name: str
    id: str
    provider_type: str
    status: str
    created_at: datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class VpcConnector:
    arn: str
    name: str
    id: str
    subnets: list[str]
    security_groups: list[str]
    created_at: datetime
    revision: int = 1
    status: str = "ACTIVE"
    deleted_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class VpcIngressConnection:
    arn: str
    name: str
    id: str
    service_arn: str
    account_id: str
    domain_name: str
    vpc_id: str
    vpc_endpoint_id: str
    created_at: datetime
    status: str = "PENDING_CREATION"
    deleted_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class PendingTask:
    """Work that completes when the store clock passes ``due_at`` (see services/apprunner/lifecycle.py).

    ``kind`` names the completion routine; ``key`` identifies the sub-resource (a custom domain name).
    """

    kind: str
    target_arn: str
    due_at: datetime
    operation_id: str | None = None
    key: str | None = None
    enforce: str = ""
    """The enforcement mode in effect at ``due_at``, which decides the deployment's pull: the mode when it was
    scheduled, renewed by every change of mode before it is due (``""``: a task saved by an older version, judged
    with the mode of the moment it completes)."""


@dataclass
class AppRunnerState:
    services: dict[str, Service] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)
    """Name -> ARN of every service that is not DELETED (names are unique among those)."""
    auto_scaling_configurations: dict[str, AutoScalingConfiguration] = field(default_factory=dict)
    observability_configurations: dict[str, ObservabilityConfiguration] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    vpc_connectors: dict[str, VpcConnector] = field(default_factory=dict)
    vpc_ingress_connections: dict[str, VpcIngressConnection] = field(default_factory=dict)
    asc_services: dict[str, list[str]] = field(default_factory=dict)
    """Auto scaling configuration ARN -> ARNs of the non-deleted services using it."""
    pending: dict[str, PendingTask] = field(default_factory=dict)
    """Task id -> task, in due order (start order among equal due times; see ``lifecycle.schedule``)."""
    tombstones: dict[str, datetime] = field(default_factory=dict)
    """ARN of a deleted / inactive resource -> when it stops being describable, in that order (deletion order among
    equal times; see ``lifecycle.bury``)."""
    seeded: bool = False

    def provided_only(self) -> bool:
        """Whether the state holds nothing but what App Runner provides in every Region (the ``DefaultConfiguration``
        revisions :data:`PROVIDED_ID`, created at :data:`PROVIDED_CREATED_AT`): what a first look at a Region seeds."""
        made = (self.services, self.service_names, self.connections, self.vpc_connectors, self.vpc_ingress_connections,
                self.asc_services, self.pending, self.tombstones)
        configurations = [*self.auto_scaling_configurations.values(), *self.observability_configurations.values()]
        return not any(made) and all(configuration.id == PROVIDED_ID and configuration.created_at == PROVIDED_CREATED_AT
                                     for configuration in configurations)
