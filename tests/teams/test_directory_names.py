"""People found by a written name ("Jo", "Dr Khan") in Teams: the real msgraph-sdk client searching the fake
Graph's ``/users`` with ``$filter=startswith(...)``, kept to those the name matches, plus people seen in the
conversation's roster."""

from __future__ import annotations

import logging

import httpx
import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider

from bot.actions.people import Profile
from handlers.teams.directory import FIELDS, GraphDirectory, TeamsDirectory
from handlers.teams.graph import graph_client
from handlers.teams.logs import quiet_sdk_logs
from handlers.teams.runner import LoopRunner
from tests.teams.conftest import CHAIR, MANAGER, OWNER, Teams
from tests.teams.fakes import Call, FakeGraph

JO = "10000000-0000-4000-8000-000000000001"
JO_SMITH = "10000000-0000-4000-8000-000000000002"
JOANNA = "10000000-0000-4000-8000-000000000003"
KHAN = "10000000-0000-4000-8000-000000000004"
ONEIL = "10000000-0000-4000-8000-000000000005"
ROSTER_ONLY = "10000000-0000-4000-8000-000000000006"


@pytest.fixture
def directory(graph: FakeGraph, runner: LoopRunner) -> GraphDirectory:
    client = graph_client(AnonymousAuthenticationProvider(), graph.base_url, retry_delay=0.0)
    return GraphDirectory(client, runner)


def searches(graph: FakeGraph) -> list[Call]:
    return [c for c in graph.calls_to("GET", r"/v1\.0/users") if "startswith" in c.query.get("$filter", [""])[0]]


def ids(people: list[Profile]) -> list[str | None]:
    return [p.teams_object_id for p in people]


def test_a_first_name_finds_the_one_person_it_is(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(
        JO, "Jo Bloggs", "Jo.Bloggs@council.example", given_name="Jo", surname="Bloggs", company="Oxford City Council"
    )
    graph.add_user(JOANNA, "Joanna Smith", "joanna@council.example", given_name="Joanna", surname="Smith")
    assert directory.people_named("Jo") == [
        Profile(
            display_name="Jo Bloggs",
            email="jo.bloggs@council.example",
            teams_object_id=JO,
            agency="Oxford City Council",
            outside=False,
            guest=False,
        )
    ]  # Joanna starts with "Jo" on Graph but is not a Jo
    [call] = searches(graph)
    assert call.status == 200
    assert call.query["$filter"] == [
        "accountEnabled eq true and "
        "(startswith(displayName,'jo') or startswith(givenName,'jo') or startswith(surname,'jo'))"
    ]
    assert call.query["$top"] == ["25"]
    assert call.query["$select"] == [",".join(FIELDS)]


def test_several_people_of_that_name_are_all_offered_up_to_five(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(JO, "Jo Bloggs", "jo.bloggs@council.example", given_name="Jo", surname="Bloggs")
    graph.add_user(JO_SMITH, "Jo Smith", "jo.smith@police.example", given_name="Jo", surname="Smith")
    assert ids(directory.people_named("Jo")) == [JO, JO_SMITH]
    assert ids(directory.people_named("Jo Smith")) == [JO_SMITH]
    assert ids(directory.people_named("J Smith")) == [JO_SMITH]  # an initial and a surname
    for n in range(6):
        graph.add_user(f"20000000-0000-4000-8000-00000000000{n}", f"Jo Other{n}", None, given_name="Jo")
    assert len(directory.people_named("Jo")) == 5


def test_a_title_is_left_out_and_the_surname_found(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(KHAN, "Dr Aisha Khan", "aisha.khan@nhs.example", given_name="Aisha", surname="Khan")
    assert ids(directory.people_named("Dr Khan")) == [KHAN]  # "Dr Aisha Khan" does not start with Khan
    assert ids(directory.people_named("Dr A. Khan")) == [KHAN]
    assert ids(directory.people_named("DC Khan (GP)")) == [KHAN]
    assert all("'khan'" in c.query["$filter"][0] and "'dr'" not in c.query["$filter"][0] for c in searches(graph))


def test_titles_or_initials_alone_find_nobody_without_asking_graph(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(KHAN, "Dr Aisha Khan", "aisha.khan@nhs.example", given_name="Aisha", surname="Khan")
    assert directory.people_named("Dr") == []
    assert directory.people_named("A. K.") == []
    assert directory.people_named("") == []
    assert searches(graph) == []


def test_a_disabled_account_is_not_offered(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(JO, "Jo Bloggs", "jo.bloggs@council.example", given_name="Jo", surname="Bloggs", enabled=False)
    graph.add_user(JO_SMITH, "Jo Smith", "jo.smith@police.example", given_name="Jo", surname="Smith", enabled=True)
    assert ids(directory.people_named("Jo")) == [JO_SMITH]
    assert directory.people_named("Bloggs") == []


def test_a_quote_in_a_name_is_escaped(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(ONEIL, "Siobhan O'Neil", "s.oneil@council.example", given_name="Siobhan", surname="O'Neil")
    assert ids(directory.people_named("O'Neil")) == [ONEIL]
    assert ids(directory.people_named("Mrs O\u2019Neil")) == [ONEIL]  # a typographic apostrophe, as Word writes it
    assert all("startswith(surname,'o''neil')" in c.query["$filter"][0] for c in searches(graph))


def test_the_fake_refuses_a_filter_graph_would_refuse(graph: FakeGraph) -> None:
    """So that a wrongly built query fails the tests above instead of finding someone by luck."""
    graph.add_user(ONEIL, "Siobhan O'Neil", "s.oneil@council.example", given_name="Siobhan", surname="O'Neil")
    for expression in (
        "startswith(surname,'o'neil')",  # the quote not doubled
        "startswith(mobilePhone,'07')",
        "accountEnabled eq true and startswith(surname,'o''neil')",  # not the shape actionbot sends
    ):
        answer = httpx.get(f"{graph.base_url}/users", params={"$filter": expression}, timeout=10)
        assert answer.status_code == 400, expression
        assert answer.json()["error"]["code"] == "BadRequest"
    answer = httpx.get(
        f"{graph.base_url}/users", params={"$filter": "startswith(surname,'O''NEIL')", "$select": "id"}, timeout=10
    )
    assert answer.json()["value"] == [{"id": ONEIL}]


def test_a_graph_failure_finds_nobody_and_logs_no_name(
    graph: FakeGraph, directory: GraphDirectory, caplog: pytest.LogCaptureFixture
) -> None:
    graph.add_user(KHAN, "Dr Aisha Khan", "aisha.khan@nhs.example", given_name="Aisha", surname="Khan")
    quiet_sdk_logs()  # as serve teams does: the HTTP clients' loggers print URLs
    caplog.set_level(logging.DEBUG)
    graph.fail(500, path="/v1.0/users")
    assert directory.people_named("Dr Khan") == []
    [warning] = [r for r in caplog.records if r.name == "actionbot.teams.directory"]
    assert warning.levelno == logging.WARNING
    assert "by name failed" in warning.getMessage()
    assert "khan" not in caplog.text.lower()
    assert [c.status for c in searches(graph)] == [500]
    assert ids(directory.people_named("Dr Khan")) == [KHAN]  # the next search asks again


def test_a_person_seen_only_in_the_roster_is_found_after_graphs(graph: FakeGraph, directory: GraphDirectory) -> None:
    graph.add_user(JO, "Jo Bloggs", None, given_name="Jo", surname="Bloggs")
    teams = TeamsDirectory(directory)
    # Teams told us of Jo Bloggs (with an email Graph lacks) and of a Jo Graph does not know
    teams.seen(Profile(display_name="Jo Bloggs", email="jo.bloggs@council.example", teams_object_id=JO.upper()))
    teams.seen(Profile(display_name="Jo Roster", email="jo.roster@partner.example", teams_object_id=ROSTER_ONLY))
    teams.seen(Profile(display_name="Sam Stranger", teams_object_id=JOANNA))
    found = teams.people_named("Jo")
    assert ids(found) == [JO, ROSTER_ONLY]  # Graph's first, each person once
    assert found[0].email == "jo.bloggs@council.example"  # what Teams said fills in what Graph lacks
    assert ids(teams.people_named("Roster")) == [ROSTER_ONLY]
    assert teams.people_named("Sam Jones") == []


def test_without_graph_only_the_roster_is_searched(graph: FakeGraph) -> None:
    teams = TeamsDirectory()
    teams.seen(Profile(display_name="Dr Aisha Khan", teams_object_id=KHAN))
    assert ids(teams.people_named("Dr Khan")) == [KHAN]
    assert teams.people_named("Jo") == []
    assert graph.calls == []


def test_a_graph_failure_still_finds_the_roster(
    graph: FakeGraph, directory: GraphDirectory, caplog: pytest.LogCaptureFixture
) -> None:
    teams = TeamsDirectory(directory)
    teams.seen(Profile(display_name="Jo Roster", teams_object_id=ROSTER_ONLY))
    graph.fail(500, path="/v1.0/users")
    caplog.set_level(logging.WARNING, "actionbot.teams.directory")
    assert ids(teams.people_named("Jo")) == [ROSTER_ONLY]
    assert "Jo" not in caplog.text


def test_a_name_typed_in_a_channel_is_the_tenant_member_it_means(teams: Teams) -> None:
    # "Olu to ..." as the minutes write it: the tenant's one Olu, recorded against their Teams account
    teams.command(CHAIR, "action Olu to share the CAD log by Friday")
    [action] = teams.actions()
    owner = teams.person(OWNER)
    assert owner is not None and action.owner_id == owner.id and action.task == "Share the CAD log"
    # their whole profile, not only what the search returns: their line manager hears of drift
    manager = teams.person(MANAGER)
    assert manager is not None and owner.escalation_contact_id == manager.id
