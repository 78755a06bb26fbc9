"""scripts/audit.py with an injected fetcher: an audit that checked nothing must fail loudly."""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [("alpha", "1.0"), ("beta", "2.0"), ("gamma", "3.0"), ("delta", "4.0")]


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def pypi(latest: dict[str, str], vulns: dict[str, list[dict[str, Any]]] | None = None) -> Any:
    def fetch(name: str) -> dict[str, Any]:
        if name not in latest:
            raise urllib.error.URLError("no network")
        return {"info": {"version": latest[name]}, "vulnerabilities": (vulns or {}).get(name)}

    return fetch


def test_no_network_fails_loudly(script: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert script.main([], fetch=pypi({}), packages=PACKAGES) == 2
    captured = capsys.readouterr()
    assert "AUDIT FAILED" in captured.err and "0 of 4" in captured.out


def test_too_small_share_fails(script: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    # one package answered at its latest release, one is behind it, two did not answer
    fetch = pypi({"alpha": "1.0", "beta": "2.1"})
    assert script.main([], fetch=fetch, packages=PACKAGES) == 2
    assert "AUDIT INCOMPLETE" in capsys.readouterr().err
    assert script.main(["--min-share", "0.25"], fetch=fetch, packages=PACKAGES) == 0


def test_full_audit_passes_and_finds_vulnerabilities(script: ModuleType) -> None:
    latest = {name: version for name, version in PACKAGES}
    assert script.main([], fetch=pypi(latest), packages=PACKAGES) == 0
    vulns = {"gamma": [{"id": "GHSA-x", "aliases": ["CVE-2026-1"]}]}
    assert script.main([], fetch=pypi(latest, vulns), packages=PACKAGES) == 1
