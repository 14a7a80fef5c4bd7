"""`voxi numbers repoint`, `voxi sandbox advance` and `voxi billing reconcile` through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from voxi.cli import app
from voxi.core.db import DatabaseUrls, libpq_conninfo


@pytest.fixture
def runner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_urls: DatabaseUrls, db: Any
) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no stray .env from the working copy
    for name, value in {
        "DATABASE_URL": database_urls.owner,
        "VOXI_ENV": "test",
        "VOXI_SECRET_KEY": TEST_SECRET,
        "VOXI_BASE_URL": "https://new.voxi.test",
    }.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def _sql(urls: DatabaseUrls, query: str, *params: object) -> None:
    with psycopg.connect(libpq_conninfo(urls.owner)) as conn:
        conn.execute(query, params)  # type: ignore[arg-type]


def test_repoint_updates_stale_numbers_and_is_safe_to_rerun(runner, database_urls):
    numbers = (
        (150, "https://old.test", "https://old.test/twilio/sms"),
        (151, "https://old.test", None),
        (152, "https://new.voxi.test", None),  # voice and status current, but bought without an SMS webhook
        (153, "https://new.voxi.test", "https://new.voxi.test/twilio/sms"),
    )
    for n, base, sms_url in numbers:
        _sql(
            database_urls,
            "insert into sandbox_numbers (e164, sid, voice_url, status_callback, sms_url)"
            " values (%s, %s, %s, %s, %s)",
            f"+1512555{n:04d}",
            f"PN{n}",
            f"{base}/twilio/voice",
            f"{base}/twilio/status",
            sms_url,
        )
    first = runner.invoke(app, ["numbers", "repoint"])
    assert first.exit_code == 0, first.output
    assert "updated +15125550150" in first.output and "updated +15125550152" in first.output
    assert first.output.strip().endswith("3 updated, 1 already current, 0 failed")
    again = runner.invoke(app, ["numbers", "repoint"])
    assert again.output.strip().endswith("0 updated, 4 already current, 0 failed")


def test_sandbox_advance_ends_trials_and_reconcile_reports(runner, database_urls):
    _sql(
        database_urls,
        "insert into sandbox_customers (id, email, name, payment_method)"
        " values ('cus_cli', 'a@b.test', 'A', 'pm_card_visa')",
    )
    _sql(
        database_urls,
        "insert into sandbox_subscriptions (id, customer_id, plan, status, trial_end, current_period_start,"
        " current_period_end, cancel_at_period_end, trial_will_end_sent, open_invoice_cents)"
        " values ('sub_cli', 'cus_cli', 'STARTER', 'trialing', now() + interval '1 day', now(),"
        " now() + interval '1 day', false, true, 0)",
    )
    result = runner.invoke(app, ["sandbox", "advance", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "sub_cli" in result.output and "trialing → active ($299.00 paid)" in result.output
    reconciled = runner.invoke(app, ["billing", "reconcile"])
    assert reconciled.exit_code == 0 and "0 checked, 0 repaired, 0 failed" in reconciled.output
