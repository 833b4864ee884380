"""An attacker's twenty-ninth pass: the ECR API, the registry endpoint under ``/v2/`` and App Runner.  Real clients
throughout: boto3 in both modes, ``requests`` against the server ``mockrunner serve`` runs for the registry.

Findings (each has a test here that failed before its fix, unless its row says otherwise):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
20 images of 4 MB manifests (22,000 layer descriptors      **fixed (medium).** Every BatchDeleteImage and registry
each, within ECR's 4 MiB bound) in one repository, then    manifest ``DELETE`` collects garbage over the whole store,
BatchDeleteImage of a missing tag in another (empty)       and that parsed every manifest of every repository of
repository, by the same or any other account               every account, under the store lock: 0.68 s per call with
                                                           80 MB of manifests (any other caller waited), growing with
                                                           the images anyone pushed.  Blob mounts, the referrers API,
                                                           ListImageReferrers, replication plans and deletion checks
                                                           parsed every manifest of a repository the same way.  A
                                                           stored manifest is now read once (what the store asks of
                                                           it, kept on the image outside its fields, so never saved):
                                                           0.5 ms per call after the first.
an index naming an index naming an image, replicated by    **fixed (low).** The backfill left out every image an index
StartReplicationBackfill                                   names (they go with their index) but copied only the
                                                           images the top index names: the middle index landed in the
                                                           destination without the image it names, a state PutImage
                                                           refuses (``ReferencedImagesNotFoundException``) and no
                                                           client can pull.  Everything an index names, through
                                                           nested indexes too, is copied, each image once and after
                                                           what it names.
``GET /v2/<name>/referrers/<digest>`` of a subject with    **fixed (low).** Each referrer's annotations were read from
30 referrers whose manifests hold 2.7 MB of annotations    its manifest's JSON under the store lock (1.4 s); the
                                                           descriptors are now made from copies taken under the lock,
                                                           after it is released.  Its test asks, from another thread,
                                                           whether the lock is free while they are made.
                                                           **Left:** ListImageReferrers reads a page's annotations
                                                           (up to 50 referrers) inside the handler, under the lock.
images pushed, then a replication rule, then an index      **fixed (low).** Replication on push copied the pushed
naming them pushed                                         image only: the index landed without its images.  The
                                                           push now copies what the index names (through nested
                                                           indexes) first, as the backfill does (ECR replicates
                                                           manifest lists, containers-roadmap#1195; how it treats
                                                           children pushed before the rule is not public).
BatchGetImage of 100 ids naming one 4 MB OCI manifest by   **fixed (low).** Each id's manifest was parsed (and
tag, ``acceptedMediaTypes`` Docker V2 Schema 2             converted, where it can be) again under the store lock:
                                                           3.5 s of the call's 5.9 s.  One request now reads an image
                                                           for a conversion once: 0.036 s under the lock (the 400 MB
                                                           answer is made outside it).  Its test counts the
                                                           conversions.
a lifecycle policy expiring thousands of untagged images   **fixed (medium).** An expired image goes with its
at once, some with referrers                               referrers, which were looked up among every image of the
                                                           repository for each expired image: quadratic, 0.1 s for
                                                           1,000 and 1 s for 4,000 at once under the store lock
                                                           (every look read each manifest again before the fix
                                                           above).  The referrers are now indexed by subject once per
                                                           evaluation: 0.2 s for 20,000.  Its test counts the reads of
                                                           the images' subjects (quadratic before).
a lifecycle rule listing one tag prefix 6,000 times, or    **fixed (medium).** Every entry of a ``tagPrefixList`` /
``t*`` 5,000 times (within the policy's 30,720             ``tagPatternList`` was tried against tag after tag of every
characters), against ten images of 1,000 tags each         image: 3.3 s (prefixes) and 15 s (patterns) under the store
                                                           lock at each evaluation and preview.  Each distinct entry
                                                           is tried once, a prefix by bisecting the image's sorted
                                                           tags, a pattern only against the tags beginning with its
                                                           text before the first ``*``: 0.3 ms and 3 ms.  Its test
                                                           counts the patterns tried.  **Left:** ~3,000 *distinct*
                                                           patterns beginning with ``*`` that each match one tag
                                                           still cost 6.7 s for ten such images (see docs).
a lifecycle policy expiring untagged images, against a     **fixed (medium).** Images an index that stays names are
chain of nested indexes (each naming the one before) a     spared, through nested indexes; that was a fixed point
tagged index names                                         recomputed over every expiring image until nothing changed,
                                                           quadratic in the chain: 0.06 s for 1,000, 0.56 s for 3,000,
                                                           2.7 s for 6,000 (ECR allows 100,000 images a repository),
                                                           under the store lock at each daily evaluation (made by the
                                                           next ECR request of the Region, anyone's) and each preview.
                                                           Now worked outward from the indexes that stay: 0.045 s for
                                                           6,000, 0.18 s for 20,000.  Measured by hand: its test pins
                                                           the answers on a chain of 300 (they held before too); no
                                                           timed assertion.
=========================================================  ==========================================================

Probed and held (checked by hand unless a test below says so):

* ECR repository names at the edges of the model's pattern (upper case, ``a..b``, ``a//b``, a leading or trailing
  ``/``, ``../``): ``InvalidParameterException`` with the pattern; 256 characters are taken, 257 refused; over
  ``/v2/`` the same names are 400 ``NAME_INVALID``, a mount ``from`` any of them (or a repository the caller may not
  read) is a new upload (202) and leaves no blob in the target.
* PutImage ``imageDigest`` in upper case, ``SHA256:``, or ``sha512:``: ``ImageDigestDoesNotMatchException``; a tag
  spelled as a digest (``sha256:...``) refused by the tag pattern; BatchGetImage by an upper-case digest answers
  ``ImageNotFound``; a digest with a tag it does not carry is ``ImageNotFound`` in BatchGetImage, DescribeImages and
  BatchDeleteImage; the same tag three times in one BatchDeleteImage deletes it once (pinned below).
* Lifecycle rules with ``countNumber`` 2^31 or two rules of one priority: refused as the policy's mapping failure;
  a replication rule naming the source registry and Region is refused.
* Paging tokens of DescribeRepositories given to ListImages, DescribeImages, DescribeRepositoryCreationTemplates and
  DescribePullThroughCacheRules, and App Runner's ListServices token given to ListOperations, ListConnections and
  ListAutoScalingConfigurations: each operation's invalid-token answer (pinned below).
* Resource ARNs of another Region (``RepositoryNotFoundException``; App Runner ``ResourceNotFoundException``) or
  another account (``AccessDeniedException``, no resource policy allows it).
* Registry: an upload whose repository is deleted and re-created is ``BLOB_UPLOAD_UNKNOWN``; ``tags/list`` with
  ``last`` empty, past every tag or half a surrogate, ``n`` of 4,300 digits; referrers with an empty, repeated or
  10,000-character ``artifactType``; a manifest reference ``SHA256:<hex>`` is 400 ``DIGEST_INVALID``, a bare hex
  reference is a tag (404 ``MANIFEST_UNKNOWN``).
* App Runner: Pause, Update and Delete while the CreateService operation runs are ``InvalidStateException``;
  tag keys differing in case are two tags (tag keys are case-sensitive).

Left alone (see docs/behaviour.md): BatchGetImage answers each of up to 100 repeated ids (100 ids of one 4 MB
manifest: a 400 MB answer, made outside the lock; ECR's answer to repeated ids is not public); ListImageReferrers
reads a page's annotations under the lock; distinct lifecycle tag patterns beginning with ``*``; App Runner's copies
of a service's environment (DescribeService: 0.2 s for 100,000 variables).
"""
from __future__ import annotations

import json
import threading
import types

import pytest
from botocore.exceptions import ClientError

import mockrunner.model.ecr as ecr_model
from mockrunner.config import Settings
from mockrunner.model import manifest_formats
from mockrunner.registry import handlers
from mockrunner.services.ecr import lifecycle
from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, digest_of
from tests.apprunner.helpers import create
from tests.harness import Harness
from tests.registry.images import Registry, login_password

LAYER = b"layer bytes of the twenty-ninth pass"
CONFIG = "application/vnd.oci.image.config.v1+json"


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def _layer(ecr, repository: str) -> dict:
    """Upload :data:`LAYER` to ``repository``; its descriptor."""
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload, partFirstByte=0, partLastByte=len(LAYER) - 1,
                          layerPartBlob=LAYER)
    ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest_of(LAYER)])
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest_of(LAYER), "size": len(LAYER)}


def _manifest(layer: dict, marker: str, **extra) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {**layer, "mediaType": CONFIG},
                       "layers": [layer], "annotations": {"marker": marker}, **extra})


def _index(*children: str) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": json.loads(child)["mediaType"], "digest": digest_of(child.encode()), "size": len(child)}
        for child in children]})


# ------------------------------------------------------------------------------- manifests read once
class _CountingJson(types.SimpleNamespace):
    """``json`` as :mod:`mockrunner.model.ecr` sees it, counting the reads of the manifests in ``watched``."""

    def __init__(self, watched: set[str]) -> None:
        super().__init__(dumps=json.dumps, watched=watched, reads=0)

    def loads(self, text, *args, **kwargs):
        if text in self.watched:
            self.reads += 1
        return json.loads(text, *args, **kwargs)


def test_a_delete_anywhere_does_not_read_every_stored_manifest_again(aws, monkeypatch):
    """Garbage collection (after every BatchDeleteImage and registry DELETE), blob mounts, referrers and deletion
    checks ask every stored manifest what it names.  They parsed each manifest every time, under the store lock:
    with 20 manifests of 4 MB in one repository, a BatchDeleteImage of a tag that does not exist in another,
    empty repository took 0.68 s (any other request waited), and each image pushed anywhere made every later delete
    slower.  A manifest is now read once; a later delete, anywhere, reads none of them again."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="big")
    ecr.create_repository(repositoryName="other")
    layer = _layer(ecr, "big")
    manifests = {_manifest(layer, f"image {index}") for index in range(5)}
    for number, text in enumerate(sorted(manifests)):
        ecr.put_image(repositoryName="big", imageManifest=text, imageTag=f"v{number}")
    subject = sorted(manifests)[0]
    referrer = _manifest(layer, "a signature", subject={"mediaType": OCI_MANIFEST, "digest": digest_of(
        subject.encode()), "size": len(subject)})
    ecr.put_image(repositoryName="big", imageManifest=referrer)
    manifests.add(referrer)
    ecr.batch_delete_image(repositoryName="other", imageIds=[{"imageTag": "absent"}])  # the first read, at most
    counting = _CountingJson(manifests)
    monkeypatch.setattr(ecr_model, "json", counting)
    for _ in range(3):
        assert ecr.batch_delete_image(repositoryName="other", imageIds=[{"imageTag": "absent"}])["failures"]
        refs = ecr.list_image_referrers(repositoryName="big", subjectId={"imageDigest": digest_of(subject.encode())})
        assert [each["digest"] for each in refs["referrers"]] == [digest_of(referrer.encode())]
    assert ecr.batch_delete_image(repositoryName="big", imageIds=[{"imageTag": "v4"}])["imageIds"]
    assert counting.reads == 0
    monkeypatch.undo()
    # What was read is still right: a deleted tag's image is gone, the layer the rest name is kept.
    assert len(ecr.describe_images(repositoryName="big")["imageDetails"]) == 5
    assert ecr.batch_check_layer_availability(repositoryName="big", layerDigests=[layer["digest"]])["layers"][0][
        "layerAvailability"] == "AVAILABLE"


def test_a_manifest_read_once_is_read_again_when_the_image_holds_another():
    """The reading kept on an image answers for the manifest it was read from only (a state import, a seed or a
    replication may hold an ``Image`` whose text is another)."""
    image = ecr_model.Image("sha256:" + "0" * 64, json.dumps({"subject": {"digest": "sha256:" + "1" * 64}}),
                            OCI_MANIFEST, None, 1)  # type: ignore[arg-type]
    assert image.subject_digest == "sha256:" + "1" * 64
    image.manifest = json.dumps({"subject": {"digest": "sha256:" + "2" * 64}, "layers": [{"digest": "sha256:x"}]})
    assert image.subject_digest == "sha256:" + "2" * 64
    assert list(ecr_model.image_references(image).blobs) == ["sha256:x"]
    image.manifest = None
    assert image.subject_digest is None and not ecr_model.image_references(image).blobs


# ------------------------------------------------------------------------------- nested indexes replicated
def test_a_backfill_copies_what_nested_indexes_name(aws):
    """An index naming an index naming images: the backfill leaves out every image an index names (they go with
    their index), but copied only what the top index names, so the middle index landed without its images."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="multi")
    layer = _layer(ecr, "multi")
    amd, arm = _manifest(layer, "amd64"), _manifest(layer, "arm64")
    middle = _index(amd, arm)
    top = _index(middle, amd)  # names ``amd`` twice over: copied once
    for text in (amd, arm, middle):
        ecr.put_image(repositoryName="multi", imageManifest=text)
    ecr.put_image(repositoryName="multi", imageManifest=top, imageTag="release")
    destination = {"region": "eu-west-1", "registryId": "123456789012"}
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [destination]}]})
    ecr.start_replication_backfill(destination=destination)
    aws.store.clock.advance(3600)
    assert ecr.list_replication_backfills()["backfills"][0]["status"] == "COMPLETE"
    copies = aws.client("ecr", region="eu-west-1")
    held = {detail["imageDigest"] for detail in copies.describe_images(repositoryName="multi")["imageDetails"]}
    assert held == {digest_of(text.encode()) for text in (amd, arm, middle, top)}
    got = copies.batch_get_image(repositoryName="multi", imageIds=[{"imageDigest": digest_of(arm.encode())}])
    assert got["images"][0]["imageManifest"] == arm
    assert copies.batch_check_layer_availability(repositoryName="multi", layerDigests=[layer["digest"]])[
        "layers"][0]["layerAvailability"] == "AVAILABLE"


# ------------------------------------------------------------------------------- lifecycle and nested indexes
def _chain(ecr, repository: str, layer: dict, length: int, marker: str) -> list[str]:
    """An image, then ``length`` indexes each naming the one before: their manifests, innermost first."""
    chain = [_manifest(layer, marker)]
    for _ in range(length):
        chain.append(_index(chain[-1]))
    for text in chain:
        ecr.put_image(repositoryName=repository, imageManifest=text)
    return chain


def test_an_index_that_stays_spares_a_long_chain_it_names_and_an_expired_one_spares_nothing(aws):
    """Lifecycle: an image an index staying in the repository names is not expired, through nested indexes too.
    This was a fixed point recomputed over every expiring image until nothing changed, quadratic in a chain of
    nested indexes (measured by hand: 0.56 s for 3,000, 2.7 s for 6,000 under the store lock, at every daily
    evaluation and preview; a repository may hold 100,000 images); it is now worked outward from the indexes that
    stay.  The answers, pinned here on a chain of 300, are the same as before."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="chained")
    layer = _layer(ecr, "chained")
    kept = _chain(ecr, "chained", layer, 300, "kept")
    ecr.put_image(repositoryName="chained", imageManifest=_index(kept[-1]), imageTag="release")
    dropped = _chain(ecr, "chained", layer, 5, "dropped")  # nothing that stays names it
    ecr.put_lifecycle_policy(repositoryName="chained", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "action": {"type": "expire"}, "selection": {
            "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}}]}))
    aws.store.clock.advance(3 * 86400)
    held = {detail["imageDigest"] for page in ecr.get_paginator("describe_images").paginate(repositoryName="chained")
            for detail in page["imageDetails"]}
    assert len(held) == 302
    assert {digest_of(text.encode()) for text in kept} <= held
    assert not {digest_of(text.encode()) for text in dropped} & held


def test_expiring_thousands_at_once_looks_each_referrer_up_once(aws, monkeypatch):
    """An expired image goes with its referrers (through referrers of referrers).  They were looked up among all the
    repository's images for each expired image, quadratic when many expire at once (measured by hand: 1 s for
    4,000 untagged images under the store lock, with their manifests read once; before that, each look read every
    manifest again).  They are now indexed by subject once per evaluation: the images' subjects are read a number
    of times that grows with the images, not with their square."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="expiring")
    layer = _layer(ecr, "expiring")
    signed = []
    for index in range(120):
        text = _manifest(layer, f"build {index}")
        ecr.put_image(repositoryName="expiring", imageManifest=text)
        signed.append(text)
    subject = {"mediaType": OCI_MANIFEST, "digest": digest_of(signed[0].encode()), "size": len(signed[0])}
    signature = _manifest(layer, "signature", subject=subject)
    ecr.put_image(repositoryName="expiring", imageManifest=signature, imageTag="sig")
    countersigned = {"mediaType": OCI_MANIFEST, "digest": digest_of(signature.encode()), "size": len(signature)}
    ecr.put_image(repositoryName="expiring", imageManifest=_manifest(layer, "countersignature",
                                                                      subject=countersigned), imageTag="countersig")
    kept = _manifest(layer, "kept")
    ecr.put_image(repositoryName="expiring", imageManifest=kept, imageTag="stable")
    kept_subject = {"mediaType": OCI_MANIFEST, "digest": digest_of(kept.encode()), "size": len(kept)}
    ecr.put_image(repositoryName="expiring", imageManifest=_manifest(layer, "kept sig", subject=kept_subject),
                  imageTag="stable-sig")
    ecr.put_lifecycle_policy(repositoryName="expiring", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "action": {"type": "expire"}, "selection": {
            "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}}]}))
    reads = []
    original = ecr_model.Image.subject_digest

    def counted(image):
        reads.append(image.digest)
        return original.fget(image)

    monkeypatch.setattr(ecr_model.Image, "subject_digest", property(counted))
    aws.store.clock.advance(3 * 86400)
    tags = [detail.get("imageTags") for detail in ecr.describe_images(repositoryName="expiring")["imageDetails"]]
    monkeypatch.undo()
    assert sorted(tag for each in tags for tag in each or ["untagged"]) == ["stable", "stable-sig"]
    assert len(reads) <= 3 * 124  # quadratic before: every image's subject read for each of the 120 expired


def test_a_rule_listing_a_tag_prefix_or_pattern_many_times_tries_each_once(aws, monkeypatch):
    """A rule's ``tagPrefixList`` / ``tagPatternList`` (every entry must match one of an image's tags) was tried
    entry by entry against tag after tag: ten images of 1,000 tags and one policy within its 30,720 characters
    listing ``"t"`` 6,000 times held the store lock 3.3 s at each evaluation and preview, ``"t*"`` 5,000 times 15 s.
    Each distinct entry is now tried once, and only against the tags that begin with its text before any ``*``
    (found by bisecting the sorted tags)."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="tagged")
    layer = _layer(ecr, "tagged")
    many = _manifest(layer, "many tags")
    for tag in [f"a{index}" for index in range(40)] + ["t-last"]:
        ecr.put_image(repositoryName="tagged", imageManifest=many, imageTag=tag)
    ecr.put_image(repositoryName="tagged", imageManifest=_manifest(layer, "other"), imageTag="a-other")
    ecr.put_image(repositoryName="tagged", imageManifest=_manifest(layer, "newest"), imageTag="t-newest")

    def preview(selection: dict) -> list[str]:
        policy = json.dumps({"rules": [{"rulePriority": 1, "action": {"type": "expire"}, "selection": {
            "tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1, **selection}}]})
        ecr.start_lifecycle_policy_preview(repositoryName="tagged", lifecyclePolicyText=policy)
        aws.store.clock.advance(60)
        results = ecr.get_lifecycle_policy_preview(repositoryName="tagged")["previewResults"]
        return sorted(tag for result in results for tag in result["imageTags"] if not tag.startswith("a"))

    tried = []
    original = lifecycle.matches_wildcard

    def counted(pattern: str, text: str) -> bool:
        tried.append((pattern, text))
        return original(pattern, text)

    monkeypatch.setattr(lifecycle, "matches_wildcard", counted)
    assert preview({"tagPatternList": ["t*"] * 500}) == ["t-last"]  # both images carry a "t" tag: the older goes
    assert len(tried) <= 2 * 2  # before: each of the 500 entries tried against the tags before "t-last"
    assert preview({"tagPatternList": ["*last", "a3*", "*"] * 100}) == []  # only one image matches: none expire
    assert preview({"tagPrefixList": ["t"] * 500}) == ["t-last"]
    assert preview({"tagPrefixList": ["a1", "t-l", "a39"] * 100 + ["zz"]}) == []


def _lock_free(lock) -> bool:
    """Whether another thread could take ``lock`` now (asked from a thread of its own, without waiting)."""
    taken: list[bool] = []

    def attempt() -> None:
        got = lock.acquire(blocking=False)
        if got:
            lock.release()
        taken.append(got)

    probe = threading.Thread(target=attempt)
    probe.start()
    probe.join()
    return taken[0]


def test_the_referrers_api_reads_annotations_outside_the_store_lock(monkeypatch):
    """``GET /v2/<name>/referrers/<digest>`` answers every referrer with its manifest's annotations, read from the
    manifest's JSON (up to 4 MiB each); they were read under the store lock: 30 referrers of 2.7 MB held every other
    request up 1.4 s.  The descriptors are now made from copies taken under the lock, once it is released."""
    harness = Harness("server", Settings(log_requests=False, operation_delay=0))
    try:
        ecr = harness.client("ecr")
        ecr.create_repository(repositoryName="signed")
        layer = _layer(ecr, "signed")
        subject = _manifest(layer, "subject")
        ecr.put_image(repositoryName="signed", imageManifest=subject, imageTag="v1")
        described = {"mediaType": OCI_MANIFEST, "digest": digest_of(subject.encode()), "size": len(subject)}
        for index in range(3):
            ecr.put_image(repositoryName="signed", imageManifest=_manifest(layer, f"sig {index}", subject=described))
        held: list[bool] = []
        original = handlers._descriptor

        def observed(image):
            held.append(not _lock_free(harness.store.lock))
            return original(image)

        monkeypatch.setattr(handlers, "_descriptor", observed)
        registry = Registry(harness.endpoint_url, login_password(ecr))
        answer = registry.call("GET", f"/v2/signed/referrers/{described['digest']}")
        assert answer.status_code == 200
        assert sorted(each["annotations"]["marker"] for each in answer.json()["manifests"]) == [
            "sig 0", "sig 1", "sig 2"]
        assert held == [False, False, False]
    finally:
        harness.close()


def test_a_batch_naming_one_image_many_times_converts_it_once(aws, monkeypatch):
    """BatchGetImage answers each id, repeated or not (what ECR answers to repeated ids is not public).  Asked by
    tag in a format the image is not stored in, each answer is a conversion: 100 ids naming one 4 MB manifest
    converted it 100 times under the store lock (3.5 s).  One request now converts an image once."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="converted")
    text = _manifest({**_layer(ecr, "converted"), "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"}, "oci")
    ecr.put_image(repositoryName="converted", imageManifest=text, imageTag="v1")
    calls = []
    original = manifest_formats.for_client

    def counted(*args):
        calls.append(args[0])
        return original(*args)

    monkeypatch.setattr(manifest_formats, "for_client", counted)
    docker = "application/vnd.docker.distribution.manifest.v2+json"
    got = ecr.batch_get_image(repositoryName="converted", imageIds=[{"imageTag": "v1"}] * 5,
                              acceptedMediaTypes=[docker])
    assert len(calls) == 1
    assert [image["imageManifestMediaType"] for image in got["images"]] == [docker] * 5
    assert len({image["imageManifest"] for image in got["images"]}) == 1
    converted = got["images"][0]
    assert converted["imageId"]["imageDigest"] == digest_of(converted["imageManifest"].encode())
    assert converted["imageId"]["imageDigest"] != digest_of(text.encode())


def test_an_index_pushed_after_the_rule_is_replicated_with_what_it_names(aws):
    """Replication on push copied the pushed image only: images pushed before the replication rule existed, then
    named by an index pushed after it, left the index in the destination without them (a state PutImage refuses,
    that no client can pull).  The push now copies what the index names, through nested indexes, first."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="late")
    layer = _layer(ecr, "late")
    amd, arm = _manifest(layer, "amd64"), _manifest(layer, "arm64")
    middle = _index(amd, arm)
    for text in (amd, arm, middle):
        ecr.put_image(repositoryName="late", imageManifest=text)
    destination = {"region": "eu-west-1", "registryId": "123456789012"}
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [destination]}]})
    top = _index(middle)
    ecr.put_image(repositoryName="late", imageManifest=top, imageTag="release")
    copies = aws.client("ecr", region="eu-west-1")
    held = {detail["imageDigest"] for detail in copies.describe_images(repositoryName="late")["imageDetails"]}
    assert held == {digest_of(text.encode()) for text in (amd, arm, middle, top)}
    status = ecr.describe_image_replication_status(repositoryName="late", imageId={"imageTag": "release"})
    assert [each["status"] for each in status["replicationStatuses"]] == ["COMPLETE"]
    assert copies.batch_check_layer_availability(repositoryName="late", layerDigests=[layer["digest"]])[
        "layers"][0]["layerAvailability"] == "AVAILABLE"


# ------------------------------------------------------------------------------- held
def test_paging_tokens_of_one_operation_are_refused_by_another(aws):
    ecr = aws.client("ecr")
    for name in ("r1", "r2", "r3"):
        ecr.create_repository(repositoryName=name)
    token = ecr.describe_repositories(maxResults=1)["nextToken"]
    invalid = ("InvalidParameterException", "Invalid parameter at 'nextToken' failed to satisfy constraint: "
                                             "'Invalid NextToken'")
    assert _error(lambda: ecr.list_images(repositoryName="r1", nextToken=token)) == invalid
    assert _error(lambda: ecr.describe_images(repositoryName="r1", nextToken=token)) == invalid
    assert _error(lambda: ecr.describe_pull_through_cache_rules(nextToken=token)) == invalid
    apprunner = aws.client("apprunner")
    arns = [create(apprunner, f"paged-{index}")["Service"]["ServiceArn"] for index in range(3)]
    listed = apprunner.list_services(MaxResults=1)["NextToken"]
    for call in (lambda: apprunner.list_operations(ServiceArn=arns[0], NextToken=listed),
                 lambda: apprunner.list_connections(NextToken=listed),
                 lambda: apprunner.list_auto_scaling_configurations(NextToken=listed)):
        assert _error(call) == ("InvalidRequestException", "The NextToken you provided isn't valid.")


def test_digests_in_other_spellings_name_nothing_and_a_repeated_tag_is_deleted_once(aws):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="spelled")
    text = _manifest(_layer(ecr, "spelled"), "one")
    digest = digest_of(text.encode())
    for given in (digest.upper(), "SHA256:" + digest[7:], "sha512:" + "a" * 128):
        assert _error(lambda given=given: ecr.put_image(repositoryName="spelled", imageManifest=text,
                                                      imageDigest=given))[0] == (
            "ImageDigestDoesNotMatchException")
    ecr.put_image(repositoryName="spelled", imageManifest=text, imageTag="v1")
    got = ecr.batch_get_image(repositoryName="spelled", imageIds=[{"imageDigest": digest.upper()}])
    assert got["images"] == [] and got["failures"][0]["failureCode"] == "ImageNotFound"
    deleted = ecr.batch_delete_image(repositoryName="spelled", imageIds=[{"imageTag": "v1"}] * 3)
    assert deleted["imageIds"] == [{"imageDigest": digest, "imageTag": "v1"}]
    assert len(deleted["failures"]) == 2


def test_registry_names_and_mounts_at_the_edges():
    """Over ``/v2/``: names the pattern refuses are ``NAME_INVALID``; a mount ``from`` such a name, or from a
    repository the caller may not read, is a new upload and puts no blob in the target."""
    harness = Harness("server", Settings(log_requests=False, operation_delay=0))
    try:
        ecr = harness.client("ecr")
        for name in ("secret", "mine"):
            ecr.create_repository(repositoryName=name)
        ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
        root = Registry(harness.endpoint_url, login_password(ecr))
        layer = _layer(ecr, "secret")
        ecr.put_image(repositoryName="secret", imageManifest=_manifest(layer, "s"), imageTag="v1")
        iam = harness.client("iam")
        iam.create_user(UserName="pusher")
        iam.put_user_policy(UserName="pusher", PolicyName="push", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "ecr:GetAuthorizationToken", "ecr:InitiateLayerUpload", "ecr:BatchCheckLayerAvailability"]}]}))
        key = iam.create_access_key(UserName="pusher")["AccessKey"]
        pusher = Registry(harness.endpoint_url, login_password(harness.client_for(key, "ecr")))
        for source in ("secret", "SECRET", "secret/", "../secret", "a" * 300):
            started = pusher.call("POST", f"/v2/mine/blobs/uploads/?mount={layer['digest']}&from={source}")
            assert started.status_code == 202 and "/blobs/uploads/" in started.headers["Location"]
        assert pusher.call("HEAD", f"/v2/mine/blobs/{layer['digest']}").status_code == 404
        for name in ("Mine", "mine/", "a..b", "a" * 257):
            answer = root.call("GET", f"/v2/{name}/tags/list")
            assert (answer.status_code, answer.json()["errors"][0]["code"]) == (400, "NAME_INVALID")
        upper = root.call("GET", f"/v2/secret/manifests/SHA256:{layer['digest'][7:]}")
        assert (upper.status_code, upper.json()["errors"][0]["code"]) == (400, "DIGEST_INVALID")
    finally:
        harness.close()
