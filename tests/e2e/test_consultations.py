"""A consultation over HTTP, on both backends: drafted by the committee, contributions, comments,
endorsements and answers from citizens, a contribution hidden by the moderator (what a citizen,
its author, a moderator and an auditor see), closed early, synthesised and answered citing a
committee decision; overdue responses listed; and the open-data export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from .api import CivicApi, Json, assert_problem, json_of
from .server import Account
from .test_charters import decide, open_meeting


def drafted(api: CivicApi, committee_id: str, **fields: object) -> Json:
    """A consultation open now to everything, for a day; response due the day it closes."""
    now = datetime.now(UTC)
    body = {
        "title": "Plan de mobilité du Sillon Lorrain",
        "description": "What do you need to get around?",
        "territory": "Sillon Lorrain",
        "committee_id": committee_id,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "phases": [
            {
                "name": "Contributions",
                "ends_at": (now + timedelta(days=1)).isoformat(),
                "allows": ["contributions", "comments", "endorsements", "answers"],
            }
        ],
        "questions": [
            {
                "id": "mode",
                "text": "How do you travel?",
                "kind": "single",
                "options": [{"id": "bus", "label": "Bus"}, {"id": "car", "label": "Car"}],
            },
            {"id": "score", "text": "Satisfied?", "kind": "scale", "scale_min": 1, "scale_max": 5},
        ],
        "response_days": 0,
        **fields,
    }
    response = api.client.post("/consultations", json=body, headers=api.committee.headers)
    return json_of(response, 201)


class TestAConsultationFromDraftToResponse:
    def test_runs_to_its_official_response_with_moderation(self, api: CivicApi) -> None:
        """The whole process through the API; hidden never erased; overdue until answered."""
        ada, bea, cyd = api.citizens
        meeting = open_meeting(api)
        committee_id = json_of(api.client.get(meeting), 200)["committee_id"]
        consultation = drafted(api, committee_id)
        assert (consultation["status"], consultation["phase"]) == ("open", 1)
        base = f"/consultations/{consultation['id']}"

        def contribute(who: Account, title: str) -> Json:
            body = {"kind": "proposal", "title": title, "text": "Please.", "themes": ["bus"]}
            response = api.client.post(f"{base}/contributions", json=body, headers=who.headers)
            return json_of(response, 201)

        lanes = contribute(ada, "Bus lanes")
        rude = contribute(bea, "Rude words")
        comment = json_of(
            api.client.post(
                f"{base}/contributions/{lanes['id']}/comments",
                json={"text": "Yes!"},
                headers=cyd.headers,
            ),
            201,
        )
        endorse = f"{base}/contributions/{lanes['id']}/endorsements"
        assert json_of(api.client.post(endorse, headers=cyd.headers), 201)["endorsement_count"] == 1
        with api.records_nothing():
            assert_problem(api.client.post(endorse, headers=cyd.headers), 409)
        answers = {"answers": {"mode": "bus", "score": 4}}
        first = json_of(
            api.client.put(f"{base}/answers/me", json=answers, headers=ada.headers), 200
        )
        assert first["replaced"] is False
        again = {"answers": {"mode": "car", "score": 2}}
        second = json_of(api.client.put(f"{base}/answers/me", json=again, headers=ada.headers), 200)
        assert (second["replaced"], second["answers"]["mode"]) == (True, "car")
        with api.records_nothing():
            bad = {"answers": {"mode": "plane"}}
            assert_problem(api.client.put(f"{base}/answers/me", json=bad, headers=bea.headers), 422)

        moderation = f"{base}/contributions/{rude['id']}/moderation"
        with api.records_nothing():
            assert_problem(
                api.client.post(moderation, json={"hidden": True}, headers=api.moderator.headers),
                400,
            )
            assert_problem(
                api.client.post(
                    moderation, json={"hidden": True, "reason": "x"}, headers=ada.headers
                ),
                403,
            )
        hidden = json_of(
            api.client.post(
                moderation,
                json={"hidden": True, "reason": "insults"},
                headers=api.moderator.headers,
            ),
            200,
        )
        assert (hidden["hidden"], hidden["hidden_reason"]) == (True, "insults")

        _check_visibility(api, base, lanes, rude, comment)
        results = json_of(api.client.get(f"{base}/results"), 200)
        assert results["respondents"] == 1
        assert results["questions"][0]["counts"] == {"bus": 0, "car": 1}

        _close_and_answer(api, consultation, meeting, lanes, rude)
        _check_export(api, consultation["id"])

    def test_only_the_committees_organisers_draft(self, api: CivicApi) -> None:
        """A citizen cannot draft (403); a consultation of an unknown committee is refused (422)."""
        with api.records_nothing():
            response = api.client.post("/consultations", json={}, headers=api.citizen.headers)
            assert_problem(response, 403)
            now = datetime.now(UTC)
            body = {
                "title": "T",
                "description": "D",
                "territory": "Metz",
                "committee_id": "00000000-0000-0000-0000-000000000000",
                "opens_at": now.isoformat(),
                "phases": [{"name": "P", "ends_at": (now + timedelta(days=1)).isoformat()}],
            }
            unknown = api.client.post("/consultations", json=body, headers=api.committee.headers)
            assert_problem(unknown, 422)


def json_of_list(api: CivicApi, path: str) -> list[Json]:
    """A JSON array download."""
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    body: list[Json] = response.json()
    return body


def _check_visibility(api: CivicApi, base: str, lanes: Json, rude: Json, comment: Json) -> None:
    """What the public, a citizen, the author, the moderator and an auditor see."""
    ada, bea, cyd = api.citizens

    def titles(headers: dict[str, str] | None = None, **params: str) -> list[str]:
        page = json_of(api.client.get(f"{base}/contributions", params=params, headers=headers), 200)
        return [c["title"] for c in page["items"]]

    assert titles() == ["Bus lanes"]  # anonymous
    assert titles(ada.headers) == ["Bus lanes"]  # another citizen
    assert titles(bea.headers) == ["Bus lanes", "Rude words"]  # its author
    assert titles(bea.headers, mine="true") == ["Rude words"]
    assert titles(api.moderator.headers) == ["Bus lanes", "Rude words"]
    assert titles(cyd.headers) == ["Bus lanes", "Rude words"]  # cyd is an auditor
    assert_problem(api.client.get(f"{base}/contributions/{rude['id']}"), 404)
    mine = json_of(api.client.get(f"{base}/contributions/{rude['id']}", headers=bea.headers), 200)
    assert mine["hidden_reason"] == "insults"
    history = json_of(
        api.client.get(f"{base}/contributions/{rude['id']}/history", headers=api.moderator.headers),
        200,
    )
    assert [e["type"] for e in history["items"]] == [
        "Contribution.Submitted",
        "Contribution.Hidden",
    ]
    comments = json_of(api.client.get(f"{base}/contributions/{lanes['id']}/comments"), 200)
    assert [c["id"] for c in comments["items"]] == [comment["id"]]


def _close_and_answer(
    api: CivicApi, consultation: Json, meeting: str, lanes: Json, rude: Json
) -> None:
    """Closed early, listed overdue, synthesised, answered citing a decision."""
    base = f"/consultations/{consultation['id']}"
    bea = api.citizens[1]
    committee = api.committee.headers
    with api.records_nothing():
        assert_problem(
            api.client.post(f"{base}/synthesis", json={"text": "S"}, headers=committee), 409
        )
    closed = json_of(
        api.client.post(f"{base}/phase", json={"reason": "enough heard"}, headers=committee),
        200,
    )
    assert closed["status"] == "closed"
    assert_problem(
        api.client.post(f"{base}/contributions/{lanes['id']}/endorsements", headers=bea.headers),
        409,
    )
    overdue = json_of(api.client.get("/consultations", params={"overdue": "true"}), 200)
    assert consultation["id"] in [c["id"] for c in overdue["items"]]
    synthesis = {
        "text": "Bus lanes come first.",
        "outcomes": [
            {"contribution_id": lanes["id"], "outcome": "taken_up", "reason": "most asked"},
            {"contribution_id": rude["id"], "outcome": "set_aside", "reason": "off topic"},
        ],
    }
    json_of(api.client.post(f"{base}/synthesis", json=synthesis, headers=committee), 200)
    with api.records_nothing():
        unknown = {"text": "R", "decision_ids": ["00000000-0000-0000-0000-000000000000"]}
        assert_problem(api.client.post(f"{base}/response", json=unknown, headers=committee), 422)
    decision = decide(api, meeting)
    response = {"text": "Lanes in 2031.", "decision_ids": [decision["decision_id"]]}
    answered = json_of(api.client.post(f"{base}/response", json=response, headers=committee), 200)
    assert (answered["status"], answered["overdue"]) == ("answered", False)
    overdue = json_of(api.client.get("/consultations", params={"overdue": "true"}), 200)
    assert consultation["id"] not in [c["id"] for c in overdue["items"]]
    events = json_of(api.client.get(f"{base}/history"), 200)["items"]
    assert [e["type"] for e in events] == [
        "Consultation.Drafted",
        "Consultation.PhaseAdvanced",
        "Consultation.SynthesisPublished",
        "Consultation.Responded",
    ]
    before = json_of(api.client.get(base, params={"version": 3}), 200)
    assert (before["version"], before["response"], before["synthesis"] is not None) == (
        3,
        None,
        True,
    )
    assert_problem(api.client.get(base, params={"version": 9}), 404)


def _check_export(api: CivicApi, consultation_id: str) -> None:
    """The open data: visible contributions with their outcome, answers by respondent."""
    consultation = {"id": consultation_id}
    exported = api.client.get("/open-data/consultation-contributions.csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    mine_rows = [r for r in rows if r["consultation_id"] == consultation["id"]]
    assert [(r["title"], r["outcome"]) for r in mine_rows] == [("Bus lanes", "taken_up")]
    answers_json = json_of_list(api, "/open-data/consultation-answers.json")
    assert {
        (r["respondent"], r["question_id"], r["answer"])
        for r in answers_json
        if r["consultation_id"] == consultation["id"]
    } == {(1, "mode", "car"), (1, "score", 2)}
