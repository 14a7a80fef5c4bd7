"""`/api/v1/messages`: list with a status filter, read one, mark it read/done."""

from __future__ import annotations

from tests.factories.tenancy import make_tenant, owner_headers


async def test_messages_api_lists_filters_and_updates(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    created = []
    for body in ("Call back about the AC", "Quote for a new furnace"):
        response = await client.post(
            "/api/v1/messages",
            headers=headers,
            json={"callerName": "Pat", "callerPhone": "512-555-9876", "body": body},
        )
        assert response.status_code == 201
        created.append(response.json())
    assert created[0]["callerPhone"] == "+15125559876" and created[0]["status"] == "new"

    done = await client.patch(
        f"/api/v1/messages/{created[0]['id']}", headers=headers, json={"status": "done"}
    )
    assert done.status_code == 200 and done.json()["status"] == "done"

    new = (await client.get("/api/v1/messages?status=new", headers=headers)).json()
    assert [m["body"] for m in new["items"]] == ["Quote for a new furnace"] and new["total"] == 1
    everything = (await client.get("/api/v1/messages", headers=headers)).json()
    assert everything["total"] == 2 and everything["perPage"] == 50
    one = await client.get(f"/api/v1/messages/{created[1]['id']}", headers=headers)
    assert one.json()["body"] == "Quote for a new furnace"


async def test_bad_status_and_unknown_ids_are_refused(client, db, settings):
    acme = await make_tenant(db)
    headers = owner_headers(settings, acme)
    message = (await client.post("/api/v1/messages", headers=headers, json={"body": "Hi"})).json()
    bad = await client.patch(
        f"/api/v1/messages/{message['id']}", headers=headers, json={"status": "archived"}
    )
    assert bad.status_code == 422 and "status" in bad.json()["error"]["fields"]
    missing = await client.get("/api/v1/messages/00000000-0000-0000-0000-000000000000", headers=headers)
    assert missing.status_code == 404
    assert (await client.get("/api/v1/messages?status=bogus", headers=headers)).status_code == 422
