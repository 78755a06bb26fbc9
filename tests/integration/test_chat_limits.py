"""The chat's own limits on the real server: new sessions and "Neues Gespräch" do not reset
them, because they also count per client address (as uvicorn reports it behind a proxy)."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import LiveServer, server_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory):
    settings = server_settings(
        tmp_path_factory.mktemp("limits"),
        requests_per_minute=1000,
        requests_per_minute_per_client=3,
    )
    with LiveServer(settings) as server:
        yield server


def test_new_sessions_from_one_address_share_its_limit(limited_server) -> None:
    from gradio_client import Client

    def ask(address: str) -> str:
        client = Client(limited_server.url, verbose=False, headers={"X-Forwarded-For": address})
        result = client.predict("Was kostet die Einbürgerung?", [], api_name="/ask")
        return json.dumps(result, ensure_ascii=False)

    replies = [ask("203.0.113.7") for _ in range(4)]  # a new browser session each time
    assert ["255 Euro" in r for r in replies] == [True, True, True, False]
    assert "Bitte warten Sie eine Minute" in replies[-1]
    assert "255 Euro" in ask("198.51.100.1"), "other citizens are not affected"
