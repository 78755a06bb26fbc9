"""Texts of the staff area: counts in good German, progress with stage and time left."""

from __future__ import annotations

import time

from bot.staff.admin_service import FeedbackReport
from bot.staff.admin_ui import progress_text


def test_feedback_headline_counts_in_singular_and_plural() -> None:
    assert FeedbackReport(0, 0, [], []).headline() == "Noch keine Rückmeldungen."
    assert FeedbackReport(1, 0, [], []).headline() == "1 Rückmeldung, davon 0 hilfreich."
    assert FeedbackReport(2, 1, [], []).headline() == "2 Rückmeldungen, davon 1 hilfreich."


def test_progress_names_stage_count_and_time_left() -> None:
    started = {"einbetten": time.monotonic() - 10.0}  # 10 s for the first 20 of 100
    assert progress_text("einbetten", 20, 100, started) == "einbetten 20/100 – noch etwa 40 s"
    assert progress_text("lesen", 3, 24, started) == "lesen 3/24", "no guess in the first second"
    assert progress_text("einbetten", 100, 100, started) == "einbetten 100/100"
