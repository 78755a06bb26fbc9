"""Screenshots of the chat page (phone and desktop) for docs/screenshots/.

.venv/bin/python app.py &   # serving on BOT_PORT (default 7860)
.venv/bin/python scripts/screenshots.py http://127.0.0.1:7860/
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

from tests.browser import launch_chromium  # noqa: E402


def main(url: str) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for name, size in {"phone": (390, 844), "desktop": (1280, 900)}.items():
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.goto(url, wait_until="load")
            box = page.get_by_label("Ihre Frage")
            box.wait_for(timeout=30_000)
            box.fill("Was kostet die Einbürgerung?")
            box.press("Enter")
            page.locator("#ki-chat").get_by_text("Quellen").first.wait_for(timeout=30_000)
            page.locator("#ki-chat details.ki-source summary").first.click()
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / f"chat-{name}.png"), full_page=False)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860/")
