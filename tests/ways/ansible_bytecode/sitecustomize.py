"""Loaded at the start of every Python process of an Ansible test run (its directory is on their ``PYTHONPATH``):
module code imported from a zip is compiled once per source, not once per process.

Ansible runs each task's module in a new Python process that imports the module and its ``module_utils`` from the
zip payload Ansible builds (AnsiballZ).  Python's ``zipimport`` writes no bytecode, so every task compiled the same
sources again (twice: for the module's file name and for its code), about a sixth of each task's time.  Here the
compiled code is kept by the SHA-256 of its source under ``ANSIBLE_BYTECODE_CACHE`` and given the file name of the
zip it is loaded from; what runs is what Ansible sent.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import types
import zipimport

_CACHE = os.environ.get("ANSIBLE_BYTECODE_CACHE")
_compile_source = zipimport._compile_source


def _refiled(code: types.CodeType, filename: str) -> types.CodeType:
    """``code`` (its nested functions' and classes' code too) named after ``filename``."""
    consts = tuple(_refiled(const, filename) if isinstance(const, types.CodeType) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _cached_compile(pathname: str, source: bytes) -> types.CodeType:
    path = os.path.join(_CACHE, hashlib.sha256(source).hexdigest())
    try:
        with open(path, "rb") as cached:
            return _refiled(marshal.load(cached), pathname)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code = _compile_source(pathname, source)
    partial = f"{path}.{os.getpid()}"
    with open(partial, "wb") as written:
        marshal.dump(code, written)
    os.replace(partial, path)  # whole or absent for a concurrent reader
    return code


if _CACHE and os.path.isdir(_CACHE):
    zipimport._compile_source = _cached_compile
