"""A private Docker engine for a test, and the ``docker`` CLI against it.

:func:`start` runs ``dockerd`` as root with everything under a temporary directory: its data root, exec root,
pid file, API socket, an empty ``daemon.json`` (``/etc/docker/daemon.json`` is not read), the containerd it
supervises (under the exec root; a containerd already listening at ``/run/containerd/containerd.sock`` the
daemon would use instead, for containers only, and no test runs one), and the CLI's configuration
(``DOCKER_CONFIG``: ``docker login`` writes there, never to ``~/.docker``).  No networking is set up (no bridge,
no iptables rules) and images are stored with the ``vfs`` driver, which needs no mounts.  The daemon and its
containerd run in a process group of their own, which :meth:`Docker.stop` ends.

The daemon runs with ``--debug``: its log (:meth:`Docker.log`) holds each registry decision (``Checking for
presence of layer ...``, ``Layer already exists``).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

from tests.registry.private_daemon import PrivateDaemon

START_TIMEOUT = 30.0
"""Seconds to wait for the daemon's API."""
STOP_TIMEOUT = 15.0
"""Seconds to wait for the daemon to exit after SIGTERM before its process group is killed."""
DOCKER_TIMEOUT = 90
"""Seconds any one ``docker`` command may take."""
DOCKERD_FLAGS = ("--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-masq=false",
                 "--storage-driver=vfs", "--debug")
_CLIENT_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONFIG")


class DockerUnavailable(Exception):
    """The daemon did not start; the message says why (the end of its log)."""


@dataclass
class Docker(PrivateDaemon):
    """A running daemon under ``base``: ``docker(...)`` runs the CLI against it with its own configuration."""

    SOCKET = "docker.sock"
    LOG = "dockerd.log"

    docker_path: str

    @property
    def config_dir(self) -> str:
        """The CLI's ``DOCKER_CONFIG``: its ``config.json`` holds what ``docker login`` stored."""
        return os.path.join(self.base, "config")

    def docker(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run ``docker`` to its end (bounded by ``DOCKER_TIMEOUT``), output as text."""
        env = {name: value for name, value in os.environ.items() if name not in _CLIENT_VARIABLES}
        env.update(DOCKER_HOST=f"unix://{self.socket}", DOCKER_CONFIG=self.config_dir, DOCKER_BUILDKIT="0",
                   DOCKER_CLI_HINTS="false")
        return subprocess.run([self.docker_path, *args], capture_output=True, text=True, input=input,
                              timeout=DOCKER_TIMEOUT, env=env, stdin=None if input is not None else subprocess.DEVNULL)

    def stop(self) -> None:
        """Stop the daemon (SIGTERM, SIGKILL to its process group after ``STOP_TIMEOUT``), then whatever of its
        group is left (its containerd), and remove its directories."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(STOP_TIMEOUT)
        shutil.rmtree(self.base, ignore_errors=True)


def start(base: str, dockerd_path: str, docker_path: str) -> Docker:
    """Start a daemon whose files all live under ``base`` (an empty directory with a short path: the API socket
    is there); wait, bounded, until ``docker version`` answers."""
    if os.geteuid() != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise DockerUnavailable("dockerd needs root (a rootless engine is not set up here)")
    os.makedirs(os.path.join(base, "config"))
    daemon_json = os.path.join(base, "daemon.json")
    with open(daemon_json, "w") as handle:
        json.dump({}, handle)
    command = [dockerd_path, "--config-file", daemon_json, "--data-root", os.path.join(base, "root"),
               "--exec-root", os.path.join(base, "exec"), "--pidfile", os.path.join(base, "dockerd.pid"),
               "-H", f"unix://{os.path.join(base, 'docker.sock')}", *DOCKERD_FLAGS]
    with open(os.path.join(base, "dockerd.log"), "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    daemon = Docker(base, process, docker_path)
    daemon.wait_until_ready(lambda: daemon.docker("version").returncode == 0, START_TIMEOUT, 0.1, DockerUnavailable)
    return daemon
