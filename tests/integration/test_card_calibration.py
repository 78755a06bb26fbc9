"""Answer cards with the bundled multilingual model: the configured thresholds are what the
calibration half gives, and on the held-out half no near-miss question gets a card."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bot.config import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def calibration_script():  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location(
        "calibrate_cards", ROOT / "scripts" / "calibrate_cards.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_no_near_miss_gets_a_card_on_the_held_out_half(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=ROOT / "corpus",
        index_dir=tmp_path / "index",
        data_dir=tmp_path / "data",
    )
    report = calibration_script().run(settings)
    assert report["cards"] == 4
    assert (report["threshold"], report["margin"]) == (
        settings.card_min_similarity,
        settings.card_min_margin,
    ), "the configured thresholds are the calibrated ones"
    held_out = report["configured"]["held_out"]
    assert held_out["near_misses"] == 56 and held_out["questions"] == 56
    assert held_out["near_misses_answered"] == 0, report["misses_held_out"]
    assert held_out["wrong_card"] == 0, report["misses_held_out"]
    assert held_out["precision"] == 1.0
    assert held_out["recall"] >= 0.85, report["misses_held_out"]  # measured 0.911
    assert report["calibration"]["precision"] == 1.0
