"""The migrations build exactly the schema the models describe (nothing missing, nothing extra)."""

from __future__ import annotations

from alembic import command

from voxi.core.migrate import alembic_config, head_revisions


def test_models_and_migrations_agree(database_urls):
    command.check(alembic_config(database_urls.owner))  # raises on any difference


def test_migrations_have_a_single_head():
    assert len(head_revisions()) == 1
