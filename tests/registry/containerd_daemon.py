"""A private containerd daemon for a test, and ``ctr`` against it.

:func:`start` runs ``containerd --config FILE`` with its root, state, gRPC socket and ``opt`` directory under a
temporary directory (nothing outside it is touched), the CRI plugin disabled (it needs a kubelet's world) and
namespaces' content isolated (``content_sharing_policy = "isolated"``: a pull into a fresh namespace downloads
every blob rather than linking the ones another namespace holds).  Its sockets belong to the user running the
test (containerd chowns them to the configured owner, root by default, which a non-root user may not do).
``ctr`` unpacks with the ``native`` snapshotter, which needs no mounts.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from tests.registry.private_daemon import PrivateDaemon

START_TIMEOUT = 20.0
"""Seconds to wait for the daemon's socket."""
CTR_TIMEOUT = 60
NAMESPACE = "mockrunner"

CONFIG = """version = 2
root = "{base}/root"
state = "{base}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{base}/containerd.sock"
  uid = {uid}
  gid = {gid}

[ttrpc]
  address = "{base}/containerd.sock.ttrpc"
  uid = {uid}
  gid = {gid}

[plugins."io.containerd.internal.v1.opt"]
  path = "{base}/opt"

[plugins."io.containerd.metadata.v1.bolt"]
  content_sharing_policy = "isolated"
"""


class ContainerdUnavailable(Exception):
    """The daemon did not start; the message holds the end of its log."""


@dataclass
class Containerd(PrivateDaemon):
    """A running daemon: ``ctr(...)`` runs ``ctr --address SOCKET -n NAMESPACE ...``."""

    SOCKET = "containerd.sock"
    LOG = "containerd.log"

    ctr_path: str

    def ctr(self, *args: str, namespace: str = NAMESPACE, text: bool = True) -> subprocess.CompletedProcess:
        """Run ``ctr`` to its end (bounded by ``CTR_TIMEOUT``); its output as text, or as bytes."""
        env = {**os.environ, "CONTAINERD_SNAPSHOTTER": "native"}
        return subprocess.run([self.ctr_path, "--address", self.socket, "-n", namespace, *args],
                              capture_output=True, text=text, timeout=CTR_TIMEOUT, env=env)

    def stop(self) -> None:
        """Stop the daemon (SIGTERM, then SIGKILL after 10 s) and remove its directories."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.base, ignore_errors=True)


def start(base: str, containerd_path: str, ctr_path: str) -> Containerd:
    """Start a daemon whose files all live under ``base`` (an empty directory); wait, bounded, for its socket."""
    config = os.path.join(base, "config.toml")
    with open(config, "w") as handle:
        handle.write(CONFIG.format(base=base, uid=os.getuid(), gid=os.getgid()))
    with open(os.path.join(base, "containerd.log"), "wb") as log:
        process = subprocess.Popen([containerd_path, "--config", config], stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    daemon = Containerd(base, process, ctr_path)
    daemon.wait_until_ready(lambda: daemon.ctr("version").returncode == 0, START_TIMEOUT, 0.05, ContainerdUnavailable)
    return daemon
