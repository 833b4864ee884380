"""Run ``tests/ways/scenario_driver.py`` in another Python environment and check what it reports (the answers are
AWS's whatever botocore signed or sent the requests)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("scenario_driver.py")
USER_ARN = "arn:aws:iam::123456789012:user/team+ops/scenario-user"
SESSION_ARN = "arn:aws:sts::123456789012:assumed-role/scenario-role/scenario-session"


def run_scenario(python: str, path: list[Path], mode: str) -> dict:
    """The driver's report, run by ``python`` with ``path`` (then this checkout) on its path, ``mode`` being
    ``inprocess`` or a server's endpoint; no ``AWS_*`` variable of this process reaches it."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("AWS_") and name != "BOTO_DISABLE_CRT"}
    environment["PYTHONPATH"] = os.pathsep.join([*map(str, path), str(ROOT)])
    done = subprocess.run([python, str(DRIVER), mode], capture_output=True, text=True, timeout=120,
                          env=environment, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def check_scenario(out: dict) -> None:
    """The answers of the scenario's calls (both modes)."""
    assert out["user_path"] == "/team+ops/"
    assert out["user_tags"] == [{"Key": "team name", "Value": "ops dev / é ü = + @ :"}]
    assert out["user_arn"] == USER_ARN
    assert out["user_denied"] == {"code": "AccessDenied", "status": 403}
    assert out["wrong_secret"] == {"code": "SignatureDoesNotMatch", "status": 403}
    assert out["role_arn"] == SESSION_ARN
    assert out["image_digest_matches"] is True
    assert out["asc_tags"] == [{"Key": "owner", "Value": "é/ü"}]
    federation = out["federation"]
    assert federation["oidc"] == "arn:aws:sts::123456789012:assumed-role/scenario-deploy/ci"
    assert federation["oidc_other_branch"] == {"code": "AccessDenied", "status": 403}
    assert federation["saml"] == "arn:aws:sts::123456789012:assumed-role/scenario-saml/alice"
    assert federation["mfa_qr_png"] is True
    assert federation["certificate"] == {"code": None}
    assert federation["bad_certificate"] == {"code": "MalformedCertificate", "status": 400}


def check_presigned(out: dict) -> None:
    """The presigned URLs' answers (against a server only)."""
    presigned = out["presigned"]
    for name, arn in (("plain", USER_ARN), ("token", USER_ARN), ("session", SESSION_ARN)):
        assert presigned[name]["status"] == 200, (name, presigned[name]["body"])
        assert f"<Arn>{arn}</Arn>" in presigned[name]["body"]
    assert presigned["listing"]["status"] == 200
    assert "<UserName>scenario-user</UserName>" in presigned["listing"]["body"]
    for name in ("token_without_header", "token_other_cluster", "tampered"):
        assert presigned[name]["status"] == 403, name
        assert "<Code>SignatureDoesNotMatch</Code>" in presigned[name]["body"], name
