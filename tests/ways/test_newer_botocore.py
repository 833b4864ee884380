"""A client newer than the botocore mockrunner's models come from (``mockrunner/data/service_models``): an
operation AWS added since is answered ``NotImplemented`` (501, not retried) naming it, not the "unknown operation"
AWS answers a name it never had, and the operations both know are served as ever.  The newer botocore is made by
giving ``AWS_DATA_PATH`` (where botocore sessions look for models before their own) IAM and ECR models with one
operation more; ``tests/ways/newer_botocore_driver.py`` calls it through boto3 in-process and against a server."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

from tests.ways.scenario_runs import ROOT

NEWER = {"iam": ("2010-05-08", "DescribeNewerThing"), "ecr": ("2015-09-21", "DescribeNewerThing")}


def _newer_models(directory) -> None:
    """mockrunner's models of IAM and ECR, each with an operation more, where botocore will read them first."""
    for service, (version, operation) in NEWER.items():
        source = ROOT / "mockrunner" / "data" / "service_models" / f"{service}.json.gz"
        model = json.loads(gzip.decompress(source.read_bytes()))
        model["operations"][operation] = {"name": operation, "http": {"method": "POST", "requestUri": "/"},
                                          "input": {"shape": f"{operation}Request"}}
        model["shapes"][f"{operation}Request"] = {"type": "structure", "members": {}}
        target = directory / service / version
        target.mkdir(parents=True)
        (target / "service-2.json").write_text(json.dumps(model))


def test_an_operation_of_a_newer_botocore_is_not_implemented_and_the_rest_is_served(tmp_path):
    _newer_models(tmp_path / "models")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(AWS_DATA_PATH=str(tmp_path / "models"), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "ways" / "newer_botocore_driver.py")],
                          capture_output=True, text=True, timeout=120, env=environment, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    for mode in ("inprocess", "server"):
        assert out[mode]["iam_new"] == {"code": "NotImplemented", "status": 501,
                                        "message": "mockrunner does not implement iam:DescribeNewerThing."}, mode
        assert out[mode]["ecr_new"] == {"code": "NotImplemented", "status": 501,
                                        "message": "mockrunner does not implement ecr:DescribeNewerThing."}, mode
        assert out[mode]["iam_known"] == {"code": None} and out[mode]["ecr_known"] == {"code": None}, mode
