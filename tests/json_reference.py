"""``json_report.dumps`` as it was before the writer was sped up: one
``JSONEncoder(ensure_ascii=False).encode`` call per list item. The JSON writer's tests
check the writer against it byte for byte; the loader benchmark times the two side by
side."""

from __future__ import annotations

import json
from typing import Any


def reference_dumps(doc: dict[str, Any], depth: int = 0) -> str:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    pad = "  " * (depth + 1)
    lines = []
    for key, value in doc.items():
        if isinstance(value, dict):
            text = reference_dumps(value, depth + 1)
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            items = ",\n".join(f"{pad}  {encode(x)}" for x in value)
            text = f"[\n{items}\n{pad}]"
        else:
            text = encode(value)
        lines.append(f"{pad}{json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n" + "  " * depth + "}"
