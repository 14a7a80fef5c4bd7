from alembic import context
from sqlalchemy import create_engine, pool

from voxi.models import Base

config = context.config
target_metadata = Base.metadata


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    # procrastinate's tables come from its own schema file (migration 0002), not from our models.
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url", ""), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_name=_ours,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
