"""ECR lifecycle policies: Put/Get/DeleteLifecyclePolicy, the preview, and the policy applied as time passes.

Evaluation follows ECR's documented rules: rules are taken by ``rulePriority`` (lowest first); each selects the
images of its storage class whose tags it matches (``untagged``, ``any``, or ``tagged`` with a
``tagPrefixList`` / ``tagPatternList`` each entry of which must match one of the image's tags); an image that a
rule selects can never be expired or transitioned by a lower-priority rule, though it still counts toward the
lower rule's ``imageCountMoreThan``; ``imageCountMoreThan N`` acts on all but the N most recently pushed
selected images, ``sinceImagePushed`` / ``sinceImagePulled`` / ``sinceImageTransitioned`` on those older than
``countNumber`` days (a count of days older than any date the clock can hold acts on nothing).  An image that a
manifest list or image index of the repository names is not expired while that index stays (ECR refuses its
deletion the same way, see :func:`~mockrunner.services.ecr.images.deletion_refusal`); it may go in the run that
expires the index.

Applying (AWS: "within 24 hours") is deterministic here: a policy is applied every :data:`EVALUATION_INTERVAL`
of store clock after it was put, however far the clock moves at once (:func:`_run_due_periods`).  Nothing runs
in the background: before any ECR request of a region is handled,
:func:`advance_region` applies every due policy of that region as of its due time (only images pushed by then
count), so expired images disappear and archived ones change status.  The same step completes image scans,
previews and restores whose time has come (see ``scanning`` and ``storage``), and :data:`CLOCK_HOOKS` run
(replication backfills, see ``replication_backfill``).
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import Image, LifecyclePreview, Repository
from mockrunner.model.ecr_policies import lifecycle_policy_problem, parse_lifecycle_policy
from mockrunner.services.ecr.core import matches_wildcard, on_repository, repository_of, token_page, whole_seconds
from mockrunner.services.ecr.images import _resolve, _tag_status_filter, delete_image, manifest_lists
from mockrunner.services.ecr.policy_text import ecr_compact_text
from mockrunner.services.registry import OPERATIONS, Operation, op

EVALUATION_INTERVAL = timedelta(hours=24)
MAX_IMAGE_RULES_PER_ADVANCE = 20_000_000
"""The image-rule pairs the runs of one repository's policy look at in one advance of the clock at most (about
10,000 runs of 1,000 images and two rules; see :func:`_run_due_periods`)."""
_STATUS_OF_CLASS = {"standard": ("ACTIVE", "ACTIVATING"), "archive": ("ARCHIVED",)}


# ------------------------------------------------------------------------------------------------ evaluation
def _tag_filter(selection: dict) -> Callable[[Image], bool]:
    """Whether an image's tags meet a rule's ``tagStatus`` and its prefix or pattern list: every entry must match
    one of the image's tags.  Each distinct entry is tried once, and a prefix is found by bisecting the image's
    tags in order, so a policy listing thousands of prefixes (the policy's 30,720 characters allow about 6,000)
    against images of 1,000 tags does not try each against each tag (that was 3.3 s for ten such images, 15 s for
    patterns, under the store lock)."""
    status = selection["tagStatus"]
    if status == "any":
        return lambda image: True
    if status == "untagged":
        return lambda image: not image.tags
    if "tagPrefixList" in selection:
        prefixes = list(dict.fromkeys(selection["tagPrefixList"]))
        return lambda image: bool(image.tags) and _has_prefixes(sorted(image.tags), prefixes)
    patterns = list(dict.fromkeys(selection["tagPatternList"]))
    return lambda image: bool(image.tags) and _matches_patterns(sorted(image.tags), patterns)


def _has_prefixes(tags: list[str], prefixes: list[str]) -> bool:
    """Every prefix begins one of ``tags`` (sorted): the first tag not below a prefix begins with it if any does."""
    for prefix in prefixes:
        at = bisect_left(tags, prefix)
        if at == len(tags) or not tags[at].startswith(prefix):
            return False
    return True


def _matches_patterns(tags: list[str], patterns: list[str]) -> bool:
    """Every pattern matches one of ``tags`` (sorted); only the tags that begin with a pattern's text before its
    first ``*`` are tried (found by bisecting)."""
    for pattern in patterns:
        first = pattern.split("*", 1)[0]
        index = bisect_left(tags, first)
        while index < len(tags) and tags[index].startswith(first):
            if matches_wildcard(pattern, tags[index]):
                break
            index += 1
        else:
            return False
    return True


_AGE_OF: dict[str, Callable[[Image], datetime | None]] = {
    "sinceImagePushed": lambda image: image.pushed_at,
    "sinceImagePulled": lambda image: image.last_pulled_at or image.pushed_at,
    "sinceImageTransitioned": lambda image: image.last_archived_at,
}


def _acted_on(rule: dict, selected: list[Image], at: datetime) -> list[Image]:
    selection = rule["selection"]
    count = selection["countNumber"]
    if selection["countType"] == "imageCountMoreThan":
        return selected[count:]
    since = _AGE_OF[selection["countType"]]
    try:
        limit = at - timedelta(days=count)
    except OverflowError:
        return []  # older than any date the clock can hold: nothing is that old
    return [image for image in selected if (since(image) or at) < limit]


def _selections(rules: list[dict], images: list[Image]) -> Iterator[tuple[dict, list[Image], set[str]]]:
    """Each rule (in priority order) with the ``images`` it selects (its storage class and tags, in the order
    given) and the digests the rules before it selected, which it can never act on (it still counts them)."""
    claimed: set[str] = set()
    for rule in rules:
        statuses = _STATUS_OF_CLASS[rule["selection"].get("storageClass", "standard")]
        tags_match = _tag_filter(rule["selection"])
        selected = [image for image in images if image.status in statuses and tags_match(image)]
        yield rule, selected, claimed  # read before the next rule's turn, which adds this rule's to it
        claimed.update(image.digest for image in selected)


def evaluate(rules: list[dict], images: Iterable[Image], at: datetime) -> list[tuple[Image, dict]]:
    """The images the policy acts on as of ``at`` (oldest push first), each with the rule that acts on it."""
    images = list(images)
    pool = sorted((image for image in images if image.pushed_at <= at), key=lambda image: image.pushed_at,
                  reverse=True)
    chosen: dict[str, tuple[Image, dict]] = {}
    for rule, selected, claimed in _selections(rules, pool):
        for image in _acted_on(rule, selected, at):
            if image.digest not in claimed:
                chosen[image.digest] = (image, rule)
    _spare_what_kept_indexes_name(chosen, images)
    return sorted(chosen.values(), key=lambda pair: pair[0].pushed_at)


def _spare_what_kept_indexes_name(chosen: dict[str, tuple[Image, dict]], images: list[Image]) -> None:
    """Drop from ``chosen`` every expiry of an image that an index staying in the repository names (through
    nested indexes too): an index that is itself expired no longer protects what it names.

    Worked outward from the indexes that stay, each image spared once, so the work grows with the images and what
    they name (a fixed point recomputed over every expiring image until nothing changed was quadratic in a chain of
    nested indexes: 2.7 s for 6,000 under the store lock)."""
    naming = manifest_lists(images)
    if not naming:
        return
    expiring = {digest for digest, (_image, rule) in chosen.items() if rule["action"]["type"] == "expire"}
    named: dict[str, list[str]] = {}
    for digest, indexes in naming.items():
        for index in indexes:
            named.setdefault(index, []).append(digest)
    staying = [index for index in named if index not in expiring]
    while staying:
        for digest in named.get(staying.pop(), ()):
            if digest in expiring:  # spared: it stays, and protects what it names in turn
                expiring.discard(digest)
                del chosen[digest]
                staying.append(digest)


def preview_result(image: Image, rule: dict) -> dict:
    action = {"type": rule["action"]["type"].upper()}
    if "targetStorageClass" in rule["action"]:
        action["targetStorageClass"] = rule["action"]["targetStorageClass"].upper()
    return {
        "imageTags": list(image.tags),
        "imageDigest": image.digest,
        "imagePushedAt": whole_seconds(image.pushed_at),
        "action": action,
        "appliedRulePriority": rule["rulePriority"],
        "storageClass": rule["selection"].get("storageClass", "standard").upper(),
    }


def next_crossing(rules: list[dict], images: Iterable[Image], at: datetime) -> datetime | None:
    """The earliest moment at or after ``at`` from which a later run may act on what the run at ``at`` did not: an
    image pushed after ``at`` joins the images the rules count, or an image of a ``since*`` rule's storage class
    and tags that no rule before it selects (that one would claim it) becomes older than its count of days; None
    when there is none."""
    images = list(images)
    moments = [image.pushed_at for image in images if image.pushed_at > at]
    for rule, selected, claimed in _selections(rules, images):
        since = _AGE_OF.get(rule["selection"]["countType"])
        try:
            age = timedelta(days=rule["selection"]["countNumber"]) if since is not None else None
        except OverflowError:
            age = None  # older than any date the clock can hold
        for image in selected if age is not None else ():
            start = since(image)
            if start is None or image.digest in claimed:
                continue
            try:
                crossing = start + age
            except OverflowError:
                continue
            if crossing >= at:
                moments.append(crossing)
    return min(moments, default=None)


def apply_policy(ctx: RequestContext, repo: Repository, at: datetime, rules: list[dict] | None = None) -> bool:
    """Expire or archive what the repository's lifecycle policy selects as of ``at``; an expiry is a deletion of the
    image and of its referrers (:func:`~mockrunner.services.ecr.images.delete_image`, its delete hooks included:
    ECR User Guide, "Replicating image deletions": "When a lifecycle policy expires an image in the source registry,
    Amazon ECR replicates the deletion to each destination repository"); whether it acted on any image.  ``rules``:
    the policy's, parsed (else parsed here)."""
    rules = rules if rules is not None else parse_lifecycle_policy(repo.lifecycle_policy)
    referring = _referring(repo)
    acted = evaluate(rules, list(repo.images.values()), at)
    for image, rule in acted:
        if image.digest not in repo.images:
            continue  # went with the subject it refers to
        if rule["action"]["type"] == "expire":
            for doomed in [image, *_referrers_of(referring, image.digest)]:
                if doomed.digest in repo.images:  # a referrer of two expired subjects goes once
                    delete_image(ctx, repo, doomed, None)
        else:
            image.status, image.last_archived_at = "ARCHIVED", at
    return bool(acted)


def _referring(repo: Repository) -> dict[str, list[Image]]:
    """The repository's images by the digest of their OCI ``subject``, whatever their storage status (push order),
    taken once per evaluation: looking the referrers of each expired image up among all images was quadratic when
    thousands expire at once (1 s for 4,000 under the store lock)."""
    referring: dict[str, list[Image]] = {}
    for image in repo.images.values():
        subject = image.subject_digest
        if subject is not None:
            referring.setdefault(subject, []).append(image)
    return referring


def _referrers_of(referring: dict[str, list[Image]], subject: str) -> list[Image]:
    """Every image that refers to ``subject`` (an OCI ``subject``), directly or through another referrer, whatever
    its storage status: what goes with an expired subject (ECR, "Amazon ECR supports Open Container Initiative Image
    and Distribution specification version 1.1": lifecycle policies delete the references "when a subject image is
    deleted as a result of a lifecycle policy rule expire action").  ``referring`` is :func:`_referring`."""
    found: dict[str, Image] = {}
    pending = [subject]
    while pending:
        for image in referring.get(pending.pop(), ()):
            if image.digest not in found and image.digest != subject:
                found[image.digest] = image
                pending.append(image.digest)
    return list(found.values())


# ------------------------------------------------------------------------------------------------ the clock
def advance_repository(ctx: RequestContext, repo: Repository, now: datetime,
                       seeded_findings: dict[str, list[dict]], unsupported: Collection[str] = ()) -> None:
    """Apply a due lifecycle policy, finish due restores and scans (a scan gets the findings seeded for its
    digest at the moment it completes; one of a digest in ``unsupported`` fails, with none).  Only the images
    :attr:`Repository.timed` names are looked at."""
    due = repo.lifecycle_due_at
    if repo.lifecycle_policy is not None and due is not None and due <= now:
        last = due + int((now - due) / EVALUATION_INTERVAL) * EVALUATION_INTERVAL
        _run_due_periods(ctx, repo, due, last)
        repo.lifecycle_evaluated_at, repo.lifecycle_due_at = last, last + EVALUATION_INTERVAL
    if repo.timed is None:
        repo.timed = [digest for digest, image in repo.images.items() if _awaits_change(image)]
    if not repo.timed:
        return
    waiting = []
    for digest in repo.timed:
        image = repo.images.get(digest)
        if image is None:
            continue
        if image.status == "ACTIVATING" and image.activates_at is not None and image.activates_at <= now:
            image.status, image.last_activated_at, image.activates_at = "ACTIVE", image.activates_at, None
        scan = image.scan
        if scan is not None and scan.status == "IN_PROGRESS" and scan.completes_at <= now:
            failed = digest in unsupported
            scan.status = "FAILED" if failed else "COMPLETE"
            scan.findings = [] if failed else [dict(finding) for finding in seeded_findings.get(digest, [])]
        if _awaits_change(image):
            waiting.append(digest)
    repo.timed = waiting


def _run_due_periods(ctx: RequestContext, repo: Repository, first: datetime, last: datetime) -> None:
    """Apply the policy as every run from ``first`` to ``last`` (24 hours apart) would: a run that acts is followed
    by the next one; after a run that does not, the runs until an image is pushed or crosses a rule's age
    (:func:`next_crossing`) are skipped (they would act on nothing).  So a clock moved on by 200 days at once
    archives an image on its second day and expires it 90 days later, as daily runs do, in a number of runs bounded
    by what changes, not by the days.  The work is bounded too: once the runs have looked at
    :data:`MAX_IMAGE_RULES_PER_ADVANCE` image-rule pairs, the rest of the span is one run at ``last``."""
    rules = parse_lifecycle_policy(repo.lifecycle_policy)
    at, work = first, 0
    while at <= last:
        work += (len(repo.images) + 1) * len(rules)
        if work > MAX_IMAGE_RULES_PER_ADVANCE:
            apply_policy(ctx, repo, last, rules)
            return
        if apply_policy(ctx, repo, at, rules):
            at += EVALUATION_INTERVAL
            continue
        crossing = next_crossing(rules, repo.images.values(), at)
        if crossing is None:
            return
        # the first run strictly after the crossing (an image is acted on once strictly older than the count)
        at = max(at + EVALUATION_INTERVAL, first + (int((crossing - first) / EVALUATION_INTERVAL) + 1)
                 * EVALUATION_INTERVAL)


def _awaits_change(image: Image) -> bool:
    scan = image.scan
    return ((image.status == "ACTIVATING" and image.activates_at is not None)
            or (scan is not None and scan.status == "IN_PROGRESS"))


def advance_region(ctx: RequestContext) -> None:
    """Complete everything of the request's region (every account) whose due time on the store clock has passed."""
    now = ctx.store.clock.now()
    for account in list(ctx.store.accounts.values()):
        state = account.regions.get(ctx.region)
        if state is None:
            continue
        for repo in list(state.ecr.repositories.values()):
            advance_repository(ctx, repo, now, state.ecr.seeded_findings, state.ecr.unsupported_scans)


CLOCK_HOOKS: list[Callable[[RequestContext], None]] = []
"""More things that complete on the store clock across regions (replication backfills): each is called with the
request's context before every ECR request, after :func:`advance_region`."""


def _advance(ctx: RequestContext) -> None:
    advance_region(ctx)
    for hook in CLOCK_HOOKS:
        hook(ctx)


def install() -> None:
    """Make every registered ECR operation advance its region first (authorization and handler both see the
    settled state)."""
    for key, operation in list(OPERATIONS.items()):
        if key[0] != "ecr" or getattr(operation.handler, "advances_clock", False):
            continue
        # every other part kept (its prepare); the look-ahead before it checks without the clock's work
        OPERATIONS[key] = replace(operation, handler=_advancing(operation.handler), authz=_advancing_authz(operation),
                                  look_ahead=operation.checks_ahead)


def _advancing(handler: Callable[[RequestContext], dict]) -> Callable[[RequestContext], dict]:
    def run(ctx: RequestContext) -> dict:
        _advance(ctx)
        return handler(ctx)

    run.advances_clock = True  # type: ignore[attr-defined]
    run.__name__, run.__doc__ = handler.__name__, handler.__doc__
    return run


def _advancing_authz(operation: Operation):
    def checks(ctx: RequestContext):
        _advance(ctx)
        return operation.checks(ctx)

    return checks


# ------------------------------------------------------------------------------------------------ errors
def _not_found(repo: Repository) -> ServiceError:
    return ServiceError("LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository "
                        f"with name '{repo.name}' in the registry with id '{repo.registry_id}'")


def validated(text: str) -> str:
    problem = lifecycle_policy_problem(text, given=True)
    if problem is not None:
        raise ServiceError("InvalidParameterException",
                           f"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '{problem}'")
    return text


def set_policy(repo: Repository, text: str, now: datetime) -> None:
    """Attach a (validated) lifecycle policy; it is first applied one interval later."""
    repo.lifecycle_policy, repo.lifecycle_due_at = text, now + EVALUATION_INTERVAL


NEVER_EVALUATED = datetime(1970, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------------------------------------------ operations
@op("ecr", "PutLifecyclePolicy", authz=on_repository("ecr:PutLifecyclePolicy"))
def put_lifecycle_policy(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    text = validated(ctx.params["lifecyclePolicyText"])
    set_policy(repo, text, ctx.store.clock.now())
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "lifecyclePolicyText": ecr_compact_text(text)}


def _policy_out(repo: Repository) -> dict:
    """A policy that has not run yet answers ``lastEvaluatedAt`` 0 (the epoch), as the ECR CLI reference's
    delete-lifecycle-policy example shows."""
    if repo.lifecycle_policy is None:
        raise _not_found(repo)
    return {"registryId": repo.registry_id, "repositoryName": repo.name,
            "lifecyclePolicyText": ecr_compact_text(repo.lifecycle_policy),
            "lastEvaluatedAt": repo.lifecycle_evaluated_at or NEVER_EVALUATED}


@op("ecr", "GetLifecyclePolicy", authz=on_repository("ecr:GetLifecyclePolicy"))
def get_lifecycle_policy(ctx: RequestContext) -> dict:
    return _policy_out(repository_of(ctx))


@op("ecr", "DeleteLifecyclePolicy", authz=on_repository("ecr:DeleteLifecyclePolicy"))
def delete_lifecycle_policy(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    out = _policy_out(repo)
    repo.lifecycle_policy = repo.lifecycle_due_at = repo.lifecycle_evaluated_at = None
    return out


@op("ecr", "StartLifecyclePolicyPreview", authz=on_repository("ecr:StartLifecyclePolicyPreview"))
def start_lifecycle_policy_preview(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    now = ctx.store.clock.now()
    # A text given is echoed as sent (the CLI reference's example); the repository's policy as ECR keeps it (compact),
    # here and in GetLifecyclePolicyPreview: recorded from AWS, 2026-09-26 (radkawar/stackd, testdata/aws/ecr/
    # stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "lifecycle_preview_start", "lifecycle_preview_*").
    text = ctx.params.get("lifecyclePolicyText") or (
        ecr_compact_text(repo.lifecycle_policy) if repo.lifecycle_policy is not None else None)
    if text is None:
        raise _not_found(repo)
    validated(text)
    running = repo.lifecycle_preview
    if running is not None and running.completes_at > now:
        raise ServiceError("LifecyclePolicyPreviewInProgressException", "The previous lifecycle policy preview "
                           "request has not completed. Wait and try again.")
    rules = parse_lifecycle_policy(text)
    results = [preview_result(image, rule) for image, rule in evaluate(rules, list(repo.images.values()), now)]
    delay = timedelta(seconds=ctx.store.settings.operation_delay)
    repo.lifecycle_preview = LifecyclePreview(text, now + delay, results)
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "lifecyclePolicyText": text,
            "status": "IN_PROGRESS"}


def _summary(results: list[dict]) -> dict:
    transitioning = sum(result["action"]["type"] == "TRANSITION" for result in results)
    summary: dict = {"expiringImageTotalCount": len(results) - transitioning}
    if transitioning:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE",
                                                     "imageTotalCount": transitioning}]
    return summary


def _wanted(repo: Repository, results: list[dict], ctx: RequestContext) -> list[dict]:
    image_ids = ctx.params.get("imageIds")
    if image_ids:
        digests = set()
        for image_id in image_ids:
            image, _failure = _resolve(repo, image_id)
            if image is not None:
                digests.add(image.digest)
        results = [result for result in results if result["imageDigest"] in digests]
    status = _tag_status_filter(ctx)
    if status != "ANY":
        results = [result for result in results if bool(result["imageTags"]) == (status == "TAGGED")]
    return results


@op("ecr", "GetLifecyclePolicyPreview", authz=on_repository("ecr:GetLifecyclePolicyPreview"))
def get_lifecycle_policy_preview(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    preview = repo.lifecycle_preview
    if preview is None:
        # Unverified wording.
        raise ServiceError("LifecyclePolicyPreviewNotFoundException", "There is no dry run for this repository.")
    out = {"registryId": repo.registry_id, "repositoryName": repo.name, "lifecyclePolicyText": preview.policy_text}
    if preview.completes_at > ctx.store.clock.now():
        return {**out, "status": "IN_PROGRESS"}
    results = _wanted(repo, preview.results, ctx)
    page, token = token_page(ctx, results)
    return {**out, "status": "COMPLETE", "previewResults": page, "nextToken": token,
            "summary": _summary(preview.results)}
