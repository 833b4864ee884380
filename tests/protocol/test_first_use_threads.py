"""Lazily built caches under concurrent first use: every thread gets a working, and where it matters the same, value.

The whole-server version of this (a fresh process, many operations' first calls at once over HTTP) is
``tests/robustness/test_cold_start.py``; these pin each cache down on its own.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.model import Shape, ShapeResolver

from mockrunner.protocol.compiled import Memo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
THREADS = 8
TREE = ShapeResolver({
    "Node": {"type": "structure", "members": {"name": {"shape": "Name"}, "children": {"shape": "Nodes"}}},
    "Nodes": {"type": "list", "member": {"shape": "Node"}},
    "Name": {"type": "string"},
})
"""A recursive shape (a node holds a list of nodes), as botocore models them."""
VALUE = {"name": "root", "children": [{"name": "leaf", "children": []}]}
EXPECTED = {"name": "ROOT", "children": [{"name": "LEAF", "children": []}]}


def _upper_memo() -> Memo:
    """A memo whose compiled functions upper-case every string; compiling a shape takes 20 ms (sleeping, so
    other threads run meanwhile and ask for the shape being compiled)."""
    def compile_shape(shape: Shape) -> Callable[[Any], Any]:
        time.sleep(0.02)
        if shape.type_name == "structure":
            members = {name: memo(member) for name, member in shape.members.items()}
            return lambda value: {name: members[name](item) for name, item in value.items()}
        if shape.type_name == "list":
            item = memo(shape.member)
            return lambda value: [item(element) for element in value]
        return str.upper

    memo = Memo(compile_shape)
    return memo


def _at_once(work: Callable[[], Any], threads: int = THREADS) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait(timeout=30)
        try:
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - reported by the assertions
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return results, errors


def test_a_shape_compiled_by_several_threads_at_once_works_in_each() -> None:
    memo = _upper_memo()
    node = TREE.get_shape_by_name("Node")
    results, errors = _at_once(lambda: memo(node)(VALUE))
    assert errors == [] and results == [EXPECTED] * THREADS
    assert memo(node) is memo(node)  # one entry kept for every later call
    assert memo(node)(VALUE) == EXPECTED


def test_a_recursive_shape_still_compiles_in_one_thread() -> None:
    memo = _upper_memo()
    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": []}]}]}
    assert memo(TREE.get_shape_by_name("Node"))(deep) == {
        "name": "A", "children": [{"name": "B", "children": [{"name": "C", "children": []}]}]}


_MANAGED = """
import sys, threading
sys.setswitchinterval(5e-5)
from mockrunner.model.managed_policies import aws_managed_policies
barrier = threading.Barrier(16)
seen = []
def load():
    barrier.wait(timeout=30)
    seen.append(aws_managed_policies())
threads = [threading.Thread(target=load) for _ in range(16)]
for thread in threads: thread.start()
for thread in threads: thread.join(60)
print(len(seen), len({id(policies) for policies in seen}), len(seen[0]))
"""


def test_managed_policies_are_loaded_once_when_many_threads_ask_first() -> None:
    """A fresh interpreter (nothing loaded yet) switching threads every 50 us: 16 first callers, one load."""
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", _MANAGED], capture_output=True, text=True, env=env,
                                timeout=60, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        callers, distinct, policies = map(int, result.stdout.split())
        assert (callers, distinct) == (16, 1) and policies > 0


def test_the_managed_policies_namespaces_are_read_once_when_many_threads_ask_first() -> None:
    """``action_namespaces`` takes the policies' lock after loading them (which takes it too): 16 first callers in
    a fresh interpreter neither deadlock nor build two sets."""
    script = _MANAGED.replace("import aws_managed_policies", "import action_namespaces").replace(
        "seen.append(aws_managed_policies())", "seen.append(action_namespaces())")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    callers, distinct, namespaces = map(int, result.stdout.split())
    assert (callers, distinct) == (16, 1) and namespaces > 400
