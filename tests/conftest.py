from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.database import create_test_database, destroy_test_database, truncate_all
from voxi.app import create_app
from voxi.core.db import Database, DatabaseUrls
from voxi.core.settings import Settings
from voxi.core.tenant_context import reset_tenant_context, restore_tenant_context

TEST_SECRET = "test-secret-key-0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def database_urls() -> Iterator[DatabaseUrls]:
    urls = create_test_database()
    yield urls
    destroy_test_database(urls)


@pytest.fixture(scope="session")
async def session_db(database_urls: DatabaseUrls) -> AsyncIterator[Database]:
    db = Database(database_urls, pool_size=5)
    yield db
    await db.dispose()


@pytest.fixture
def settings(database_urls: DatabaseUrls) -> Settings:
    return Settings(
        _env_file=None,
        voxi_env="test",
        voxi_secret_key=TEST_SECRET,
        database_url=database_urls.owner,
        voxi_base_url="https://voxi.test",
    )


@pytest.fixture
def db(session_db: Database, database_urls: DatabaseUrls) -> Iterator[Database]:
    """The test database; every table is emptied after the test, and no tenant stays bound."""
    token = reset_tenant_context()
    yield session_db
    restore_tenant_context(token)
    truncate_all(database_urls)


@pytest.fixture
def app(settings: Settings, db: Database):
    return create_app(settings, db=db)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def visitor(app) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on the app: HTTPS (the session cookie is Secure), asking for HTML."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", headers={"Accept": "text/html"}
    ) as client:
        yield client
