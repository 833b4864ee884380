"""The lifecycle engine: asynchronous operations that complete when the store clock passes their due time.

A mutating call records an operation (service status ``OPERATION_IN_PROGRESS``) or a pending task (VPC
ingress connection, custom domain) due ``settings.operation_delay`` seconds later on the store clock.  Nothing
runs in the background: before any App Runner request of an account/region is handled, :func:`ready_state`
completes every task of that region whose due time has passed (tasks are kept in due order, so the scan stops
at the first one still running), and before any request's handler, of any service, :func:`settle_due` completes
those of every region (a clock hook), so no change reaches back into an operation that ended before it.  A task
is judged as of its due time (``aws:CurrentTime`` of its pull included).  :func:`settle` completes everything at
once for the admin API.

Completion outcomes are data (``_SERVICE_OUTCOMES``); whether a deployment fails is asked of
``roles.deployment_failure`` when a create / update / start-deployment operation completes.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mockrunner.auth.check import Check
from mockrunner.model.apprunner import (
    DEFAULT_NAME,
    PROVIDED_CREATED_AT,
    PROVIDED_ID,
    AppRunnerState,
    AutoScalingConfiguration,
    ObservabilityConfiguration,
    OperationRecord,
    PendingTask,
    Service,
)
from mockrunner.services.apprunner import arns, roles
from mockrunner.services.region_state import writes
from mockrunner.services.registry import CLOCK_HOOKS, op

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.store import Account, Store

#: Operation type -> (status on success, status on deployment failure, operation status on failure).
#: ``None`` as failure status: the operation cannot fail (no deployment happens).
_SERVICE_OUTCOMES: dict[str, tuple[str, str | None, str | None]] = {
    "CREATE_SERVICE": ("RUNNING", "CREATE_FAILED", "FAILED"),
    "UPDATE_SERVICE": ("RUNNING", "RUNNING", "ROLLBACK_SUCCEEDED"),
    "START_DEPLOYMENT": ("RUNNING", "RUNNING", "ROLLBACK_SUCCEEDED"),
    "PAUSE_SERVICE": ("PAUSED", None, None),
    "RESUME_SERVICE": ("RUNNING", None, None),
    "DELETE_SERVICE": ("DELETED", None, None),
}

CERTIFICATE_NAME_MAX = 64
"""Longest custom domain name App Runner can get a certificate for (see ``_complete_domain_created``)."""

ROLLBACK_FIELDS = ("source_configuration", "instance_configuration", "health_check_configuration",
                   "network_configuration", "auto_scaling_configuration_arn", "observability_configuration")


# ------------------------------------------------------------------------------------------------ the region
def state_of(ctx: "RequestContext") -> AppRunnerState:
    """The caller's App Runner state in the request's region, seeded and with due operations completed (a read of a
    Region the account has no state in makes none: :mod:`mockrunner.services.region_state`)."""
    return ready_state(ctx.store, ctx.account, ctx.region, keep=writes(ctx))


def apprunner_op(name: str, authz: Callable[["RequestContext"], Iterable[Check]]) -> Callable:
    """Register ``handler`` as ``AppRunner.<name>``, authorized by ``authz``.

    Before either runs, every pending operation of the caller's account and region whose due time has passed
    is completed, so both see a settled state: completion is lazy and deterministic (store clock only, never a
    background thread).  The answer's timestamps are whole seconds (:func:`timestamps_in_whole_seconds`).
    """

    def register(handler: Callable[["RequestContext"], dict]) -> Callable[["RequestContext"], dict]:
        def checks(ctx: "RequestContext") -> list[Check]:
            state_of(ctx)
            return list(authz(ctx))

        def run(ctx: "RequestContext") -> dict:
            state_of(ctx)
            return timestamps_in_whole_seconds(handler(ctx))

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        op("apprunner", name, authz=checks)(run)
        return handler

    return register


def timestamps_in_whole_seconds(document: Any) -> Any:
    """``document`` with every timestamp truncated to the second: App Runner's answers carry whole epoch seconds
    (a raw ListServices body, aws/aws-cli#9399: ``"CreatedAt":1.742895933E9``; the CLI's list-operations example:
    ``"StartedAt": 1606156014``), whatever the precision of the times kept in the state."""
    if isinstance(document, datetime):
        return document.replace(microsecond=0)
    if isinstance(document, dict):
        return {key: timestamps_in_whole_seconds(value) for key, value in document.items()}
    if isinstance(document, list):
        return [timestamps_in_whole_seconds(value) for value in document]
    return document


def ready_state(store: "Store", account: "Account", region: str, keep: bool = True) -> AppRunnerState:
    """The region's state with the provided defaults seeded and every due task completed.  With ``keep`` false (a
    read), a Region the account has no state in is not made: its defaults are seeded into an empty state that is
    not kept (they are the same whenever they are seeded: :data:`PROVIDED_CREATED_AT`)."""
    state = (account.region(region) if keep else account.region_to_read(region)).apprunner
    if not state.seeded:
        _seed(state, account.id, region)
    _settle_region(store, account, region, state, force=False)
    return state


def _seed(state: AppRunnerState, account_id: str, region: str) -> None:
    """App Runner provides ``DefaultConfiguration`` revision 1 (id 000…0001) in every account and region.

    The auto scaling one is listed (Terraform's sweeper has to skip it) and is the default.  Whether the
    provided observability configuration is listed is unverified; it is, here, so that its ARN resolves
    (docs/behaviour.md, "App Runner: auto scaling configurations").  Both were created at
    :data:`PROVIDED_CREATED_AT`, whenever and by whatever request the region is first looked at.
    """
    asc_arn = arns.build(region, account_id, "autoscalingconfiguration", DEFAULT_NAME, 1, PROVIDED_ID)
    state.auto_scaling_configurations[asc_arn] = AutoScalingConfiguration(
        arn=asc_arn, name=DEFAULT_NAME, revision=1, id=PROVIDED_ID, created_at=PROVIDED_CREATED_AT, is_default=True)
    obs_arn = arns.build(region, account_id, "observabilityconfiguration", DEFAULT_NAME, 1, PROVIDED_ID)
    state.observability_configurations[obs_arn] = ObservabilityConfiguration(
        arn=obs_arn, name=DEFAULT_NAME, revision=1, id=PROVIDED_ID, created_at=PROVIDED_CREATED_AT,
        trace_configuration={"Vendor": "AWSXRAY"})
    state.seeded = True


def _settle_region(store: "Store", account: "Account", region: str, state: AppRunnerState, force: bool) -> int:
    now = store.clock.now()
    done = 0
    while state.pending:
        task_id, task = next(iter(state.pending.items()))
        if not force and task.due_at > now:
            break
        del state.pending[task_id]
        # It ended when it was due, however late a request comes to see it: the same answer before and after a
        # restart (completions seen by reads are not saved: they are recomputed from the saved state).
        _COMPLETIONS[task.kind](store, account, region, state, task, min(task.due_at, now))
        done += 1
    _purge(store, state, now)
    return done


def _purge(store: "Store", state: AppRunnerState, now: datetime) -> None:
    """Forget deleted services and inactive configurations whose retention has passed (oldest first)."""
    while state.tombstones:
        arn, forget_at = next(iter(state.tombstones.items()))
        if forget_at > now:
            return
        del state.tombstones[arn]
        parsed = arns.parse(arn)
        if parsed is not None:
            getattr(state, arns.COLLECTIONS[parsed.resource_type]).pop(arn, None)


def bury(store: "Store", state: AppRunnerState, arn: str, now: datetime, longest: float | None = None) -> None:
    """Forget ``arn`` after the ``apprunner_deleted_retention`` quota, or after ``longest`` seconds if sooner."""
    retention = store.settings.quotas.apprunner_deleted_retention
    forget_at = now + timedelta(seconds=retention if longest is None else min(retention, longest))
    _put_in_due_order(state.tombstones, arn, forget_at, lambda when: when)


def _put_in_due_order(entries: dict, key: Any, value: Any, due_of: Callable[[Any], datetime]) -> None:
    """Add ``key: value`` to ``entries`` (kept in due order, oldest first, so that a scan may stop at the first
    entry not yet due), after the entries due no later than it.

    Appending keeps that order only while the delay never shrinks: after a restart with a shorter
    ``operation_delay`` or ``apprunner_deleted_retention`` (or from a state saved by a server with longer ones),
    an entry due earlier than one added before it would otherwise wait behind it.  Stable: among equal due times,
    the order they were added in.
    """
    entries.pop(key, None)
    last = next(reversed(entries.values()), None)
    entries[key] = value
    if last is not None and due_of(last) > due_of(value):
        ordered = sorted(entries.items(), key=lambda item: due_of(item[1]))
        entries.clear()
        entries.update(ordered)


# --------------------------------------------------------------------------------------- public for admin
def judge_pending_with(store: "Store", mode: str) -> None:
    """Hold every task not yet due to the enforcement ``mode`` (the caller holds the store lock, and has completed the
    tasks already due under the mode they were due in): a change of mode at run time, or a start with another
    configured mode, is the mode in effect when they come due."""
    now = store.clock.now()
    for account in store.accounts.values():
        for region_state in account.regions.values():
            for task in region_state.apprunner.pending.values():
                if task.due_at > now:
                    task.enforce = mode


def settle(store: "Store") -> int:
    """Complete every pending App Runner task in every account and region now; return how many."""
    done = 0
    with store.lock:
        for account in list(store.accounts.values()):
            for region in list(account.regions):
                done += _settle_region(store, account, region, account.regions[region].apprunner, force=True)
    return done


def settle_due(store: "Store") -> None:
    """Complete every task of every account and region whose due time has passed (the caller holds the store
    lock).  A :data:`CLOCK_HOOKS` hook: run before any request's handler, so that no change a request makes (an
    access role's policy detached, an image deleted, in any service) reaches back into an operation that ended
    before it; completions are otherwise lazy, made when an App Runner request of the region first looks."""
    for account in list(store.accounts.values()):
        for region, region_state in list(account.regions.items()):
            if region_state.apprunner.pending or region_state.apprunner.tombstones:
                _settle_region(store, account, region, region_state.apprunner, force=False)


CLOCK_HOOKS.append(settle_due)


def pending_operations(store: "Store") -> list[dict[str, Any]]:
    """Every task still pending, in due order, as plain JSON-ready dicts (those already due are completed first,
    as an API call would see them)."""
    with store.lock:
        settle_due(store)
        return [
            {"account": account.id, "region": region, "kind": task.kind, "target_arn": task.target_arn,
             "operation_id": task.operation_id, "key": task.key, "due_at": task.due_at.isoformat()}
            for account in store.accounts.values()
            for region, region_state in account.regions.items()
            for task in region_state.apprunner.pending.values()
        ]


def deployed_image(store: "Store", service_arn: str) -> dict[str, Any] | None:
    """The image a service runs: its identifier and the digest its last successful deployment resolved
    (``None``: no such service)."""
    service = _find_service(store, service_arn)
    if service is None:
        return None
    image = (service.source_configuration or {}).get("ImageRepository") or {}
    return {"image_identifier": image.get("ImageIdentifier"), "image_digest": service.image_digest,
            "status": service.status}


def instance_role_credentials(store: "Store", service_arn: str) -> dict:
    """Temporary credentials of the service's instance role (:func:`roles.instance_role_credentials`), for the
    service as an API call would see it now."""
    return roles.instance_role_credentials(store, service_arn, _find_service(store, service_arn))


def _find_service(store: "Store", service_arn: str) -> Service | None:
    """The service ``service_arn`` names, once the tasks of its region that are due have completed (as any API
    call sees it: the admin API's answers about a service agree with DescribeService's at the same moment)."""
    parsed = arns.parse(service_arn)
    if parsed is None or parsed.resource_type != "service":
        return None
    account = store.accounts.get(parsed.account)
    if account is None or parsed.region not in account.regions:
        return None
    return ready_state(store, account, parsed.region).services.get(service_arn)


def failure_reasons(store: "Store", service_arn: str) -> list[dict[str, Any]] | None:
    """Why the operations of a service failed (``None``: no such service)."""
    service = _find_service(store, service_arn)
    if service is None:
        return None
    return [
        {"operation_id": record.id, "type": record.type, "status": record.status,
         "reason": record.failure_reason,
         "ended_at": record.ended_at.isoformat() if record.ended_at else None}
        for record in service.operations if record.failure_reason is not None
    ]


# ------------------------------------------------------------------------------------ starting operations
def due(store: "Store", now: datetime) -> datetime:
    return now + timedelta(seconds=store.settings.operation_delay)


def schedule(store: "Store", state: AppRunnerState, kind: str, target_arn: str, now: datetime,
             key: str | None = None, operation_id: str | None = None) -> PendingTask:
    task = PendingTask(kind=kind, target_arn=target_arn, due_at=due(store, now), operation_id=operation_id,
                       key=key, enforce=store.settings.enforce)
    _put_in_due_order(state.pending, operation_id or arns.new_operation_id(), task, lambda entry: entry.due_at)
    return task


def start_service_operation(store: "Store", state: AppRunnerState, service: Service, operation_type: str,
                            now: datetime, rollback: dict | None = None) -> OperationRecord:
    """Put ``service`` in OPERATION_IN_PROGRESS with a new operation of ``operation_type``."""
    record = OperationRecord(
        id=arns.new_operation_id(), type=operation_type, status="IN_PROGRESS", target_arn=service.arn,
        started_at=now, updated_at=now, due_at=due(store, now), prior_status=service.status, rollback=rollback,
    )
    service.operations.append(record)
    service.status = "OPERATION_IN_PROGRESS"
    service.updated_at = now
    schedule(store, state, "service_operation", service.arn, now, operation_id=record.id)
    return record


def snapshot_configuration(service: Service) -> dict:
    return {name: copy.deepcopy(getattr(service, name)) for name in ROLLBACK_FIELDS}


def held_configurations(state: AppRunnerState) -> Iterable[dict[str, Any]]:
    """Every configuration (:data:`ROLLBACK_FIELDS` -> value) a service that is not DELETED runs with, and, while an
    update or deployment of it runs, the one it goes back to if that fails: what it holds on to, so none of the
    resources they name (auto scaling and observability configurations, VPC connectors, connections) may be
    deleted meanwhile (a failed update would otherwise bring the service back onto a deleted one)."""
    for service in state.services.values():
        if service.status == "DELETED":
            continue
        yield {name: getattr(service, name) for name in ROLLBACK_FIELDS}
        rollback = _running_rollback(service)
        if rollback is not None:
            yield rollback


def _running_rollback(service: Service) -> dict[str, Any] | None:
    """The configuration ``service``'s running update or deployment goes back to if it fails (None: none runs)."""
    running = service.operations[-1] if service.operations else None  # operations never overlap
    return running.rollback if running is not None and running.status == "IN_PROGRESS" else None


def holds(state: AppRunnerState, field: str, *path: str, arn: str) -> bool:
    """Whether a configuration of :func:`held_configurations` names ``arn`` at ``field`` and then ``path``."""
    for configuration in held_configurations(state):
        value: Any = configuration.get(field)
        for key in path:
            value = (value or {}).get(key)
        if value == arn:
            return True
    return False


def asc_in_use(state: AppRunnerState, arn: str) -> bool:
    """Whether auto scaling configuration ``arn`` has a service (``HasAssociatedService``, and why it may not be
    deleted): one that uses it, or one whose running update would go back to it if it failed."""
    if state.asc_services.get(arn):
        return True
    # The services' current configurations are in ``asc_services``: of :func:`held_configurations` only the running
    # updates' rollbacks are left, read without building every service's configuration.
    for service in state.services.values():
        rollback = _running_rollback(service) if service.status != "DELETED" else None
        if rollback is not None and rollback.get("auto_scaling_configuration_arn") == arn:
            return True
    return False


# --------------------------------------------------------------------------------- association bookkeeping
def associate_asc(state: AppRunnerState, service: Service, asc_arn: str) -> None:
    """Move ``service`` to ``asc_arn`` in the configuration -> services index."""
    dissociate_asc(state, service)
    service.auto_scaling_configuration_arn = asc_arn
    state.asc_services.setdefault(asc_arn, []).append(service.arn)


def dissociate_asc(state: AppRunnerState, service: Service) -> None:
    users = state.asc_services.get(service.auto_scaling_configuration_arn)
    if users and service.arn in users:
        users.remove(service.arn)
        if not users:
            del state.asc_services[service.auto_scaling_configuration_arn]


# -------------------------------------------------------------------------------------------- completions
def _complete_service_operation(store: "Store", account: "Account", region: str, state: AppRunnerState,
                                task: PendingTask, now: datetime) -> None:
    service = state.services.get(task.target_arn)
    if service is None:
        return
    record = next((r for r in reversed(service.operations) if r.id == task.operation_id), None)
    if record is None or record.status != "IN_PROGRESS":
        return
    success_status, failed_status, failed_operation_status = _SERVICE_OUTCOMES[record.type]
    reason = None
    if failed_status is not None:
        mode = task.enforce or store.settings.enforce
        reason = roles.deployment_failure(store, account, region, service, now, mode)
    record.updated_at = record.ended_at = now
    service.updated_at = now
    if reason is None:
        record.status = "SUCCEEDED"
        service.status = success_status
        service.failure_reason = None
        if failed_status is not None:
            service.image_digest = roles.image_digest(store, service)
        if success_status == "DELETED":
            _finish_delete(store, state, service, now)
        return
    record.failure_reason = service.failure_reason = reason
    if record.type != "CREATE_SERVICE" and record.prior_status == "CREATE_FAILED":
        # Rebuilding a CREATE_FAILED service: there is nothing to roll back to
        # (docs/behaviour.md, "App Runner: service lifecycle and state gating").
        record.status, service.status = "FAILED", "CREATE_FAILED"
        return
    if record.rollback is not None:
        _restore(state, service, record.rollback)
    record.status = failed_operation_status
    service.status = failed_status


def _restore(state: AppRunnerState, service: Service, rollback: dict) -> None:
    for name in ROLLBACK_FIELDS:
        if name == "auto_scaling_configuration_arn":
            associate_asc(state, service, rollback[name])
        else:
            setattr(service, name, copy.deepcopy(rollback[name]))


def _finish_delete(store: "Store", state: AppRunnerState, service: Service, now: datetime) -> None:
    service.deleted_at = now
    if state.service_names.get(service.name) == service.arn:
        del state.service_names[service.name]
    dissociate_asc(state, service)
    service.custom_domains.clear()
    bury(store, state, service.arn, now)


def _complete_vic_available(store: "Store", account: "Account", region: str, state: AppRunnerState,
                            task: PendingTask, now: datetime) -> None:
    connection = state.vpc_ingress_connections.get(task.target_arn)
    if connection is not None and connection.status in ("PENDING_CREATION", "PENDING_UPDATE"):
        connection.status = "AVAILABLE"


def _complete_vic_deleted(store: "Store", account: "Account", region: str, state: AppRunnerState,
                          task: PendingTask, now: datetime) -> None:
    connection = state.vpc_ingress_connections.get(task.target_arn)
    if connection is not None and connection.status == "PENDING_DELETION":
        connection.status = "DELETED"
        connection.deleted_at = now
        bury(store, state, connection.arn, now)


def _complete_domain_created(store: "Store", account: "Account", region: str, state: AppRunnerState,
                             task: PendingTask, now: datetime) -> None:
    """The certificate is requested; it stays pending until its DNS records are validated (never, locally).

    A name longer than 64 characters is accepted by AssociateCustomDomain but its creation then fails "with no
    details" (aws/apprunner-roadmap#259; ACM certificates' common name is limited to 64 characters).
    """
    service = state.services.get(task.target_arn)
    domain = service.custom_domains.get(task.key or "") if service else None
    if domain is not None and domain.status == "CREATING":
        too_long = len(domain.domain_name) > CERTIFICATE_NAME_MAX
        domain.status = "CREATE_FAILED" if too_long else "PENDING_CERTIFICATE_DNS_VALIDATION"


def _complete_domain_deleted(store: "Store", account: "Account", region: str, state: AppRunnerState,
                             task: PendingTask, now: datetime) -> None:
    service = state.services.get(task.target_arn)
    if service is not None:
        domain = service.custom_domains.get(task.key or "")
        if domain is not None and domain.status == "DELETING":
            del service.custom_domains[task.key]


_COMPLETIONS: dict[str, Callable[..., None]] = {
    "service_operation": _complete_service_operation,
    "vic_available": _complete_vic_available,
    "vic_deleted": _complete_vic_deleted,
    "domain_created": _complete_domain_created,
    "domain_deleted": _complete_domain_deleted,
}
TASK_KINDS = frozenset(_COMPLETIONS)
"""The kinds of :class:`PendingTask` there are (a task of another kind could never complete)."""
