"""A 200 MB image pushed to the registry endpoint over loopback with skopeo, against a plain file copy.

Each run pushes the same OCI layout (one gzip layer of incompressible bytes, so skopeo sends it as is) into a
fresh repository of a ``mockrunner serve`` process, so every run uploads the whole layer; the repository is
deleted afterwards (its blobs are collected).  The baseline copies the layer file to another file on the same
disk.  Both blob stores are measured: in memory (the default) and on disk (``--state-file``).  Reported: MB/s
per run (median and range) and the server's peak resident memory (``VmHWM``), which shows whether a push is
streamed or held whole.

Usage: ``python scripts/bench_registry.py [--size-mb 200] [--repeat 5]`` (needs skopeo).  Every loop is bounded
in count and by ``--timeout`` seconds per push.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import boto3


def write_layout(directory: str, size_mb: int) -> int:
    """An OCI layout with one gzip layer of ``size_mb`` MB of random bytes; returns the layer's size."""
    blobs = os.path.join(directory, "blobs", "sha256")
    os.makedirs(blobs)

    def put(data: bytes) -> tuple[str, int]:
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as handle:
            handle.write(data)
        return "sha256:" + digest, len(data)

    layer_digest, layer_size = put(gzip.compress(os.urandom(size_mb * 1024 * 1024), compresslevel=1))
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
    config_digest, config_size = put(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": config_size},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       "digest": layer_digest, "size": layer_size}]}).encode()
    manifest_digest, manifest_size = put(manifest)
    with open(os.path.join(directory, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)
    with open(os.path.join(directory, "index.json"), "w") as handle:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
            "size": manifest_size, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, handle)
    return layer_size


def layer_path(layout: str) -> str:
    blobs = os.path.join(layout, "blobs", "sha256")
    return max((os.path.join(blobs, name) for name in os.listdir(blobs)), key=os.path.getsize)


def start_server(state_file: str | None) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet"]
    if state_file:
        command += ["--state-file", state_file]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    return process, line.strip().rsplit(" ", 1)[-1]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def push_runs(endpoint: str, layout: str, size: int, repeat: int, timeout: float) -> list[float]:
    ecr = boto3.client("ecr", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="test",
                       aws_secret_access_key="test")
    token = base64.b64decode(ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]).decode()
    host = endpoint.removeprefix("http://")
    rates = []
    for run in range(repeat):
        name = f"bench-{run}"
        ecr.create_repository(repositoryName=name)
        start = time.perf_counter()
        subprocess.run(["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-creds", token,
                        "--dest-tls-verify=false", f"oci:{layout}:bench", f"docker://{host}/{name}:bench"],
                       check=True, timeout=timeout)
        rates.append(size / (time.perf_counter() - start) / 1e6)
        ecr.delete_repository(repositoryName=name, force=True)
    return rates


def copy_runs(source: str, size: int, repeat: int) -> list[float]:
    rates = []
    target = source + ".copy"
    for _ in range(repeat):
        start = time.perf_counter()
        shutil.copyfile(source, target)
        rates.append(size / (time.perf_counter() - start) / 1e6)
        os.remove(target)
    return rates


def report(label: str, rates: list[float], extra: str = "") -> None:
    print(f"{label:<28} median {statistics.median(rates):8.1f} MB/s  range {min(rates):.1f}-{max(rates):.1f}"
          f"{extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per push")
    args = parser.parse_args()
    if shutil.which("skopeo") is None:
        print("skopeo is required", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        layout = os.path.join(work, "layout")
        size = write_layout(layout, args.size_mb)
        print(f"layer: {size / 1e6:.1f} MB, {args.repeat} runs each")
        report("plain file copy", copy_runs(layer_path(layout), size, args.repeat))
        for label, state_file in (("push, blobs in memory", None), ("push, --state-file (disk)",
                                                                    os.path.join(work, "state.bin"))):
            process, endpoint = start_server(state_file)
            try:
                rates = push_runs(endpoint, layout, size, args.repeat, args.timeout)
                report(label, rates, f"  server peak RSS {peak_rss_mb(process.pid):.0f} MB")
            finally:
                process.terminate()
                process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
