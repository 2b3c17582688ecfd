"""Reader of schemas/validation-vectors.json (the TypeScript reader is test/support/validation-vectors.ts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Vector:
    kind: str
    stage: str
    name: str
    event: dict[str, Any]
    error: str | None


def decode(node: Any) -> Any:
    """The file's tagged values as Python values; an unparseable $date stays a string (an invalid date)."""
    if isinstance(node, list):
        return [decode(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$date" in node:
        try:
            # Python 3.10's fromisoformat does not read a trailing Z.
            return datetime.fromisoformat(node["$date"].replace("Z", "+00:00"))
        except ValueError:
            return node["$date"]
    if "$float" in node:
        return float(node["$float"].replace("Infinity", "inf"))
    if "$repeat" in node:
        text, n = node["$repeat"]
        return text * n
    if "$map" in node:
        spec = node["$map"]
        return {f"{spec['prefix']}{i}": spec["value"] for i in range(spec["count"])}
    return {key: decode(value) for key, value in node.items()}


def load() -> tuple[datetime, list[Vector]]:
    file = json.loads((REPO / "schemas" / "validation-vectors.json").read_text(encoding="utf-8"))
    base = decode(file["base"])
    vectors = [
        Vector(v["kind"], v["stage"], v["name"], {**base[v["kind"]], **decode(v["change"])}, v["error"])
        for v in file["vectors"]
    ]
    return decode(file["now"]), vectors
