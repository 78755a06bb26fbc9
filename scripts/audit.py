"""A dependency audit that works where only PyPI's project JSON is reachable.

    .venv/bin/python scripts/audit.py

pip-audit asks PyPI per version (/pypi/NAME/VERSION/json) or OSV; neither answers on the
build machines. PyPI's project JSON (/pypi/NAME/json) lists the known vulnerabilities of
the *latest* release, so every installed package that is at its latest release is audited
exactly; older ones are listed as not audited. Exit code 1 when a vulnerability is found.
"""

from __future__ import annotations

import json
import urllib.request
from importlib import metadata


def main() -> int:
    vulnerable, audited, skipped = [], 0, []
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name, version = dist.metadata["Name"], dist.version
        try:
            with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as r:
                data = json.load(r)
        except Exception as exc:  # not on PyPI (local build) or network trouble
            skipped.append(f"{name} {version} ({type(exc).__name__})")
            continue
        if data["info"]["version"] != version:
            skipped.append(f"{name} {version} (latest is {data['info']['version']})")
            continue
        audited += 1
        for vuln in data.get("vulnerabilities") or []:
            vulnerable.append(f"{name} {version}: {vuln.get('id')} {vuln.get('aliases', [])}")
    print(f"audited {audited} packages at their latest release; {len(vulnerable)} vulnerable")
    for line in vulnerable:
        print("  VULNERABLE", line)
    print(f"not audited ({len(skipped)}):", "; ".join(skipped))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    raise SystemExit(main())
