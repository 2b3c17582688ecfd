"""The Avro contracts, loaded exactly as the TypeScript side registers them.

``registered_text`` must be byte-for-byte what ``JSON.stringify(loadSchema(name))`` gives
in libs/contracts/src/schemas.ts: Apicurio compares schema text, so any other spelling
(indentation, spaces after colons) would create a second, identical version of a subject.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

EVIDENCE = "dev.vigil.events.Evidence"


def schemas_dir() -> Path:
    """The wheel carries a copy in ``vigil/schemas``; a source checkout uses the repository's ``schemas/``."""
    bundled = Path(__file__).parent / "schemas"
    if (bundled / "prediction-event.avsc").is_file():
        return bundled
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "schemas"
        if (candidate / "prediction-event.avsc").is_file():
            return candidate
    raise FileNotFoundError(f"schemas/ not found in the package or above {__file__}")


def _read_avsc(name: str) -> Any:
    return json.loads((schemas_dir() / f"{name}.avsc").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """The schema as registered: the shared Evidence record is inlined at its first use."""
    inlined = False

    def inline(node: Any) -> Any:
        nonlocal inlined
        if node == EVIDENCE and not inlined:
            inlined = True
            return _read_avsc("evidence")
        if isinstance(node, list):
            return [inline(item) for item in node]
        if isinstance(node, dict):
            return {key: inline(value) for key, value in node.items()}
        return node

    schema: dict[str, Any] = inline(_read_avsc(name))
    return schema


def registered_text(name: str) -> str:
    """The schema text as JSON.stringify writes it (no spaces, keys in file order)."""
    return json.dumps(load_schema(name), separators=(",", ":"), ensure_ascii=False)
