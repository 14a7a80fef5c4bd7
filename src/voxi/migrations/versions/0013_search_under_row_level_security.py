"""transcript search can use its GIN index under row-level security

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-21 13:00:00

Row-level security applies its own condition (tenant_id) before any condition of the query that is
not LEAKPROOF, and `tsvector @@ tsquery` (pg_catalog.ts_match_vq) is not marked so: a transcript
search could not use `ix_call_logs_tenant_id_search_vector` and read every call of the business
(≈100 ms at 100k calls, measured by `make bench`). The function only compares its two arguments and
raises no error that carries them, so it is marked LEAKPROOF. Only a superuser may do that (the
marking lives in this database's catalog): elsewhere the migration leaves a notice, and search still
works, without the index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mark(leakproof: str) -> None:
    op.execute(
        f"""
        do $$ begin
          if (select rolsuper from pg_roles where rolname = current_user) then
            alter function pg_catalog.ts_match_vq(tsvector, tsquery) {leakproof};
          else
            raise notice 'transcript search: ts_match_vq left as it is (only a superuser may mark it)';
          end if;
        end $$;
        """
    )


def upgrade() -> None:
    _mark("leakproof")


def downgrade() -> None:
    _mark("not leakproof")
