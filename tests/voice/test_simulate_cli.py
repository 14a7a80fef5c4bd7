"""`voxi call simulate`: a scripted text call through routing, tools and the call log."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import LEGACY_ENV, rows, runner  # noqa: F401 - `runner` is a fixture
from voxi.cli import app


def test_a_scripted_call_answers_and_is_logged_as_a_test(runner, monkeypatch, database_urls, tmp_path: Path):  # noqa: F811
    for name, value in LEGACY_ENV.items():
        monkeypatch.setenv(name, value)
    assert runner.invoke(app, ["tenants", "import-legacy"]).exit_code == 0
    script = tmp_path / "caller.txt"
    script.write_text("What services do you offer?\nCan I talk to a real person?\n")
    result = runner.invoke(app, ["call", "simulate", "--to", "(512) 555-0142", "--script", str(script)])
    assert result.exit_code == 0, result.output
    assert "AI assistant for Austin Comfort Heating" in result.stdout
    assert "Furnace repair" in result.stdout
    assert "(transferred to +15125550177)" in result.stdout
    [(outcome, is_test, engine)] = rows(database_urls, "select outcome, is_test, engine from call_logs")
    assert (outcome, is_test, engine) == ("transferred", True, "simulator")


def test_an_unknown_number_is_refused(runner):  # noqa: F811
    result = runner.invoke(app, ["call", "simulate", "--to", "+15125559999"], input="hello\n")
    assert result.exit_code == 1
    assert "not a Voxi number" in result.output
