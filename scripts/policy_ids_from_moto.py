"""Add the AWS managed policy ids recorded in moto 3.1.15 to ``scripts/managed_policy_ids.json``.

Until version 3.1.15 moto (Apache-2.0) shipped ``moto/iam/aws_managed_policies.py`` as the verbatim
``iam:ListPolicies(Scope=AWS)`` + ``GetPolicyVersion`` answers of a real account (made by its ``make
aws_managed_policies`` target), ``PolicyId`` included: 928 policies as of 2022.  Later versions drop the ids.

An id is taken only when the policy is still the same one: moto's ``Arn`` (so name and path) and ``CreateDate`` equal
those of mockrunner's generated dataset (a policy deleted and created again would have a new date and a new id).
An id already recorded from another source must agree; a disagreement stops the script without writing.

Usage: ``python scripts/policy_ids_from_moto.py [--wheel moto-3.1.15-*.whl]``; without ``--wheel`` the pinned
version is fetched with ``pip download``.  Run ``scripts/gen_managed_policies.py`` afterwards.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MOTO_VERSION = "3.1.15"
MEMBER = "moto/iam/aws_managed_policies.py"
SCRIPTS = Path(__file__).resolve().parent
IDS = SCRIPTS / "managed_policy_ids.json"
INDEX = SCRIPTS.parent / "mockrunner" / "data" / "managed_policies" / "policies.txt.gz"
SOURCE_NOTE = (f"moto {MOTO_VERSION} (Apache-2.0), {MEMBER}: a real account's iam:ListPolicies(Scope=AWS) answers "
               "recorded by its `make aws_managed_policies` (2022); taken where moto's Arn and CreateDate equal the "
               "dataset's, i.e. the same policy (scripts/policy_ids_from_moto.py)")


def moto_policies(wheel: str | None) -> dict[str, dict]:
    """Policy name -> moto's recorded ``ListPolicies`` entry."""
    with tempfile.TemporaryDirectory() as scratch:
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", f"moto=={MOTO_VERSION}", "--no-deps",
                            "--only-binary=:all:", "-d", scratch, "-q"], check=True)
            wheel = str(next(Path(scratch).glob("moto-*.whl")))
        text = zipfile.ZipFile(wheel).read(MEMBER).decode("utf-8")
    return json.loads(text[text.index('"""') + 3:text.rindex('"""')])


def dataset_policies() -> dict[str, tuple[str, str]]:
    """Policy name -> (ARN, creation time to the second) of mockrunner's generated data."""
    with gzip.open(INDEX, "rt", encoding="utf-8") as index:
        rows = json.loads(index.readline())
    return {row[0]: (f"arn:aws:iam::aws:policy{row[1]}{row[0]}", row[4][:19]) for row in rows}


def same_policy_ids(moto: dict[str, dict], dataset: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The ids of moto's policies that are still the same policy in the dataset."""
    return {name: entry["PolicyId"] for name, entry in moto.items()
            if dataset.get(name) == (entry["Arn"], entry["CreateDate"][:19])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help=f"moto {MOTO_VERSION}'s wheel (default: pip download it)")
    args = parser.parse_args()
    recorded = json.loads(IDS.read_text(encoding="utf-8"))
    found = same_policy_ids(moto_policies(args.wheel), dataset_policies())
    conflicts = {name: (recorded["ids"][name], policy_id) for name, policy_id in found.items()
                 if recorded["ids"].get(name, policy_id) != policy_id}
    if conflicts:
        print(f"moto disagrees with recorded ids: {conflicts}", file=sys.stderr)
        return 1
    added = len(set(found) - set(recorded["ids"]))
    recorded["sources"]["moto"] = SOURCE_NOTE
    recorded["ids"] = dict(sorted({**recorded["ids"], **found}.items()))
    IDS.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(found)} ids from moto ({len(found) - added} already recorded, all agree; {added} new); "
          f"{len(recorded['ids'])} recorded ids -> {IDS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
