"""A dependency audit that works where only PyPI's project JSON is reachable.

    .venv/bin/python scripts/audit.py [--min-share 0.8]

pip-audit asks PyPI per version (/pypi/NAME/VERSION/json) or OSV; neither answers on the
build machines. PyPI's project JSON (/pypi/NAME/json) lists the known vulnerabilities of the
*latest* release, so only installed packages at their latest release are audited; older ones
and packages PyPI did not answer for are listed as not audited.

Exit codes: 0 nothing found in an audit that covered at least `--min-share` of the installed
packages; 1 a vulnerability was found; 2 the audit covered too little to mean anything (no
network, PyPI down, many packages behind their latest release). "0 vulnerable" from an audit
that checked nothing must never look like a pass.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

Fetch = Callable[[str], dict[str, Any]]
DEFAULT_MIN_SHARE = 0.8  # docs/security.md, 2026-11-25: 162 audited, 14 behind latest (92 %)


def fetch_pypi(name: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as response:
        return json.load(response)


def installed() -> list[tuple[str, str]]:
    dists = sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower())
    return [(d.metadata["Name"], d.version) for d in dists]


@dataclass
class AuditResult:
    total: int = 0
    audited: int = 0
    vulnerable: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.audited / self.total if self.total else 0.0


def audit(packages: Iterable[tuple[str, str]], fetch: Fetch) -> AuditResult:
    result = AuditResult()
    for name, version in packages:
        result.total += 1
        try:
            data = fetch(name)
            latest = data["info"]["version"]
        except Exception as exc:  # not on PyPI (local build) or network trouble
            result.unreachable.append(f"{name} {version} ({type(exc).__name__})")
            continue
        if latest != version:
            result.outdated.append(f"{name} {version} (latest is {latest})")
            continue
        result.audited += 1
        for vuln in data.get("vulnerabilities") or []:
            result.vulnerable.append(
                f"{name} {version}: {vuln.get('id')} {vuln.get('aliases', [])}"
            )
    return result


def main(
    argv: list[str] | None = None,
    fetch: Fetch = fetch_pypi,
    packages: Iterable[tuple[str, str]] | None = None,
) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--min-share",
        type=float,
        default=DEFAULT_MIN_SHARE,
        help="fail (exit 2) when fewer than this share of installed packages was audited",
    )
    args = parser.parse_args(argv)
    result = audit(installed() if packages is None else packages, fetch)
    print(
        f"audited {result.audited} of {result.total} installed packages ({result.share:.0%}) "
        f"at their latest release; {len(result.vulnerable)} vulnerable"
    )
    for line in result.vulnerable:
        print("  VULNERABLE", line)
    print(f"not audited, behind latest ({len(result.outdated)}):", "; ".join(result.outdated))
    print(f"not audited, no answer ({len(result.unreachable)}):", "; ".join(result.unreachable))
    if result.vulnerable:
        return 1
    if result.audited == 0:
        print(
            f"AUDIT FAILED: not one of {result.total} packages could be audited "
            f"({len(result.unreachable)} without an answer from PyPI). Network down?",
            file=sys.stderr,
        )
        return 2
    if result.share < args.min_share:
        print(
            f"AUDIT INCOMPLETE: only {result.share:.0%} of the installed packages were audited, "
            f"less than --min-share {args.min_share:.0%}; the result does not cover the app.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
