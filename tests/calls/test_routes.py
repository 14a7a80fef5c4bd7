"""GET /api/v1/calls: filters, full-text search over transcripts and summaries, detail, isolation."""

from __future__ import annotations

from tests.factories.tenancy import make_tenant, owner_headers
from voxi.calls.service import append_turn, open_call, set_outcome
from voxi.core.db import activate_tenant


async def seed_calls(db, tenant_id) -> dict[str, str]:
    ids = {}
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        for sid, words, outcome, urgency, test in (
            ("CA1", "My furnace stopped working and the house is freezing", "booked", None, False),
            ("CA2", "I smell gas in the kitchen", "emergency", "emergency", False),
            ("CA3", "What are your hours on Saturday?", "info", None, True),
        ):
            call = await open_call(
                session,
                call_sid=sid,
                from_number="+15125550000",
                to_number="+15125550101",
                engine="simulator",
                is_test=test,
            )
            await append_turn(session, call.id, "caller", words)
            await set_outcome(session, call.id, outcome, urgency=urgency, summary=f"Summary of {sid}")
            ids[sid] = str(call.id)
        await session.commit()
    return ids


async def test_list_filters_and_searches_the_transcripts(client, db, settings):
    acme = await make_tenant(db)
    ids = await seed_calls(db, acme.id)
    headers = owner_headers(settings, acme)

    async def sids(**params) -> list[str]:
        response = await client.get("/api/v1/calls", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(item["callSid"] for item in response.json()["items"])

    assert await sids() == ["CA1", "CA2", "CA3"]
    assert await sids(q="freezing furnace") == ["CA1"]
    assert await sids(q="stopped working") == ["CA1"]  # stemming: "stop" / "work"
    assert await sids(q="summary CA2") == ["CA2"]  # the summary is searched too
    assert await sids(q="caller") == []  # role names are not transcript words
    assert await sids(outcome="emergency") == ["CA2"]
    assert await sids(urgency="emergency") == ["CA2"]
    assert await sids(test="true") == ["CA3"]
    assert await sids(test="false") == ["CA1", "CA2"]
    assert await sids(since="2000-01-01", until="2000-01-02") == []
    page = (await client.get("/api/v1/calls", headers=headers, params={"perPage": 2, "page": 2})).json()
    assert (page["total"], len(page["items"]), page["perPage"]) == (3, 1, 2)
    bad = await client.get("/api/v1/calls", headers=headers, params={"outcome": "great"})
    assert bad.status_code == 422 and "outcome" in bad.json()["error"]["fields"]
    detail = (await client.get(f"/api/v1/calls/{ids['CA2']}", headers=headers)).json()
    assert detail["transcript"][0] == {
        "role": "caller",
        "text": "I smell gas in the kitchen",
        "at": detail["transcript"][0]["at"],
    }
    assert (detail["outcome"], detail["urgency"], detail["summary"]) == (
        "emergency",
        "emergency",
        "Summary of CA2",
    )


async def test_another_business_sees_none_of_them(client, db, settings):
    acme, other = await make_tenant(db), await make_tenant(db)
    ids = await seed_calls(db, acme.id)
    headers = owner_headers(settings, other)
    assert (await client.get("/api/v1/calls", headers=headers, params={"q": "gas"})).json()["total"] == 0
    response = await client.get(f"/api/v1/calls/{ids['CA1']}", headers=headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/v1/calls")).status_code == 401
