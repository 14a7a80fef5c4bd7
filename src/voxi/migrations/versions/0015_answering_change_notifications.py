"""every change to what answers a number notifies the per-process answering caches

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-21 15:00:00

`voxi.voice.answering` caches, per process, the business behind each called number. Any insert,
update or delete of a row of the four tables it reads sends `NOTIFY voxi_answering, '<tenant id>'`
(delivered at commit; identical notifications of one transaction are sent once), and every process
forgets that business.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {
    "tenants": "id",
    "tenant_configs": "tenant_id",
    "number_routes": "tenant_id",
    "phone_numbers": "tenant_id",
}


def upgrade() -> None:
    op.execute(
        """
        create function notify_answering_changed() returns trigger language plpgsql as $$
        begin
            -- tg_argv[0]: the column holding the tenant id
            perform pg_notify('voxi_answering', to_jsonb(coalesce(new, old)) ->> tg_argv[0]);
            return null;
        end $$
        """
    )
    for table, tenant_column in TABLES.items():
        op.execute(
            f"create trigger {table}_notify_answering after insert or update or delete on {table} "
            f"for each row execute function notify_answering_changed('{tenant_column}')"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"drop trigger {table}_notify_answering on {table}")
    op.execute("drop function notify_answering_changed()")
