"""Copy the service models of the services mockrunner serves into ``mockrunner/data/service_models``.

Source: botocore's own models (``botocore/data/<service>/<api version>/service-2.json.gz``) of the botocore version
``constraints.txt`` pins, the version the codecs, the behaviour reference and the "every operation has a handler"
test are checked against.  The server reads these copies, not the installed botocore's, so what it serves does not
depend on the botocore of the environment it runs in: a project pinning an older boto3 (``setup.cfg`` accepts 1.34)
talks to the same server, its client merely knowing fewer operations; a newer one meets no operation the server has
no handler for.  ``SOURCE.json`` records the version copied.

Usage: ``python scripts/gen_service_models.py`` (with the pinned botocore installed; refuses any other version).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import botocore
import botocore.loaders

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mockrunner" / "data" / "service_models"
sys.path.insert(0, str(ROOT))

from mockrunner.protocol.specs import SERVICES  # noqa: E402 - the table of served services, from this checkout


def pinned_botocore() -> str:
    match = re.search(r"^botocore==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit("constraints.txt pins no botocore version")
    return match.group(1)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if botocore.__version__ != pinned_botocore():
        raise SystemExit(f"botocore {botocore.__version__} is installed; constraints.txt pins {pinned_botocore()}")
    loader = botocore.loaders.create_loader()
    OUT.mkdir(parents=True, exist_ok=True)
    versions = {}
    for name in SERVICES:
        version = loader.determine_latest_version(name, "service-2")
        source = Path(botocore.__file__).parent / "data" / name / version / "service-2.json.gz"
        (OUT / f"{name}.json.gz").write_bytes(source.read_bytes())
        versions[name] = version
    (OUT / "SOURCE.json").write_text(json.dumps({"botocore": botocore.__version__, "apiVersions": versions},
                                                indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(versions)} models of botocore {botocore.__version__} to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
