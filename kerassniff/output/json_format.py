"""A JSON array of finding objects (stable keys, documented in the README)."""
from __future__ import annotations

import json

from kerassniff.findings import Finding


def render(findings: list[Finding], **_: object) -> str:
    return json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False) + "\n"
