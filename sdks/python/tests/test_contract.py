"""The Python side of the contract equals the TypeScript side's, read from the TypeScript code itself."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess

import pytest

from dataclasses import replace

from vigil import SchemaNotRegisteredError, VigilClient
from vigil.topics import value_subject
from vigil.schemas import registered_text
from vigil.topics import EVENT_STREAMS, SDK_STREAMS, topic_map

from .conftest import Stack
from .vectors import REPO

TS_NODE = [shutil.which("node") or "node", "-r", "ts-node/register/transpile-only", "-r", "tsconfig-paths/register"]


def run_typescript(source: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([*TS_NODE, "-e", source], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_topic_map_and_registered_schema_texts_equal_the_typescript_ones() -> None:
    typescript = json.loads(
        run_typescript(
            "const c = require('@vigil/contracts');"
            "const names = Object.values(c.EVENT_STREAMS).map((s) => s.schema);"
            "console.log(JSON.stringify({ topics: c.topicMap('p.'),"
            " texts: Object.fromEntries(names.map((n) => [n, JSON.stringify(c.loadSchema(n))])) }));"
        )
    )
    assert topic_map("p.") == typescript["topics"]
    # Byte for byte: Apicurio compares the text, so any difference would add a subject version.
    assert {name: registered_text(name) for _, name in EVENT_STREAMS.values()} == typescript["texts"]


def test_python_first_then_typescript_leaves_one_version(stack: Stack) -> None:
    prefix = f"{stack.prefix}first.{secrets.token_hex(2)}."
    settings = replace(stack.settings, topic_prefix=prefix)
    for _ in range(3):
        VigilClient.connect(settings, flush_at_exit=False).close()
    run_typescript(
        "const m = require('@vigil/messaging'); const c = require('@vigil/contracts');"
        "m.registerContracts(m.createSchemaRegistry({ url: process.env.SCHEMA_REGISTRY_URL }), c.topicMap(process.env.VIGIL_TOPIC_PREFIX))"
        ".then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });",
        env={**stack.env(), "VIGIL_TOPIC_PREFIX": prefix, "PATH": os.environ["PATH"]},
    )
    registry = stack.registry()
    for stream in SDK_STREAMS:
        subject = value_subject(f"{prefix}{EVENT_STREAMS[stream][0]}")
        assert registry.get_versions(subject) == [1], subject
        assert registry.get_compatibility(subject) == "BACKWARD"


def test_lookup_only_mode_refuses_unregistered_subjects_and_registers_nothing(stack: Stack) -> None:
    prefix = f"{stack.prefix}lookup.{secrets.token_hex(2)}."
    settings = replace(stack.settings, topic_prefix=prefix)
    with pytest.raises(SchemaNotRegisteredError, match=rf"{prefix}predictions-value: the registry does not hold"):
        VigilClient.connect(settings, register_schemas=False)
    assert [s for s in stack.registry().get_subjects() if s.startswith(prefix)] == []
