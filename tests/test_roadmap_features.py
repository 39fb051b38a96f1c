"""Roadmap features: imports from Jira / Linear / Productboard shapes, edits, archive, CLI.
No model needed: these only touch SQLite."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from research_hub import FeatureError
from tests.conftest import SAMPLES, write

JIRA_CSV = """Issue key,Summary,Description,Status,Priority,Labels,Labels,Created
TB-1,Faster PDF export,"Exports time out
for big accounts",To Do,High,exports,pdf,12/May/26 10:20 AM
TB-2,Recurring invoices,Repeat invoices on a schedule,In Progress,Medium,billing,,03/Jul/26 02:10 PM
"""

LINEAR_JSON = {"data": {"issues": {"nodes": [
    {"id": "9f1c2a-uuid", "identifier": "ENG-12", "title": "Bank feed reconnect",
     "description": "Stop asking users to re-authenticate every week.",
     "state": {"name": "Backlog"}, "priority": 2, "labels": {"nodes": [{"name": "banking"}]}},
    {"id": "77aa-uuid", "identifier": "ENG-13", "title": "Receipt OCR", "description": "",
     "state": {"name": "Todo"}, "priority": 3},
]}}}

JIRA_JSON = {"issues": [{"key": "TB-9", "id": "10009",
                         "fields": {"summary": "VAT return wizard", "description": "Guide MTD filing",
                                    "status": {"name": "Done"}, "labels": ["vat", "tax"]}}]}

PRODUCTBOARD_CSV = """Feature name,Feature description,Status,Feature ID,Owner
Multi-currency invoices,Invoice in EUR and USD,Candidate,pb-001,ana@example.com
"""


def test_jira_csv_import_keeps_key_title_status_and_extra_columns(hub, tmp_path):
    report = hub.roadmap.import_file(write(tmp_path / "jira.csv", JIRA_CSV))
    assert report.added == ["TB-1", "TB-2"]
    f = hub.roadmap.feature("TB-1")
    assert (f.title, f.status) == ("Faster PDF export", "To Do")
    assert f.description == "Exports time out\nfor big accounts"
    assert f.extra == {"Priority": "High", "Labels": "exports", "Labels_2": "pdf",
                       "Created": "12/May/26 10:20 AM"}


def test_reimport_is_idempotent_and_updates_changed_rows(hub, tmp_path):
    path = write(tmp_path / "jira.csv", JIRA_CSV)
    hub.roadmap.import_file(path)
    again = hub.roadmap.import_file(path)
    assert (again.added, again.updated, sorted(again.unchanged)) == ([], [], ["TB-1", "TB-2"])
    write(path, JIRA_CSV.replace("In Progress", "Done"))
    third = hub.roadmap.import_file(path)
    assert third.updated == ["TB-2"] and third.unchanged == ["TB-1"]
    assert hub.roadmap.feature("TB-2").status == "Done"
    assert len(hub.roadmap.features()) == 2


def test_linear_graphql_json_uses_identifier_and_nested_state(hub, tmp_path):
    path = write(tmp_path / "linear.json", json.dumps(LINEAR_JSON))
    assert hub.roadmap.import_file(path).added == ["ENG-12", "ENG-13"]
    f = hub.roadmap.feature("eng-12")  # ids match case-insensitively
    assert (f.id, f.title, f.status) == ("ENG-12", "Bank feed reconnect", "Backlog")
    assert f.extra["id"] == "9f1c2a-uuid"


def test_jira_rest_json_and_productboard_csv(hub, tmp_path):
    hub.roadmap.import_file(write(tmp_path / "jira.json", json.dumps(JIRA_JSON)))
    f = hub.roadmap.feature("TB-9")
    assert (f.title, f.description, f.status) == ("VAT return wizard", "Guide MTD filing", "Done")
    assert f.extra["fields.labels"] == "vat, tax"
    hub.roadmap.import_file(write(tmp_path / "pb.csv", PRODUCTBOARD_CSV))
    pb = hub.roadmap.feature("pb-001")
    assert (pb.title, pb.description, pb.status) == ("Multi-currency invoices", "Invoice in EUR and USD",
                                                     "Candidate")
    assert pb.extra == {"Owner": "ana@example.com"}


def test_rows_without_key_get_a_stable_id_from_the_title(hub, tmp_path):
    path = write(tmp_path / "ideas.csv", "Title,Description\nDark mode,Easier on the eyes\n,no title\n")
    first = hub.roadmap.import_file(path)
    assert len(first.added) == 1 and first.added[0].startswith("F-")
    assert first.skipped == ["row 3: no title"]
    assert hub.roadmap.import_file(path).unchanged == first.added


@pytest.mark.parametrize("name, body, message", [
    ("x.csv", "Status,Owner\nDone,ana\n", "no title column"),
    ("x.json", "{not json", "malformed JSON"),
    ("x.xlsx", "irrelevant", "unsupported file type"),
    ("x.csv", "Summary\n", "no rows"),
])
def test_bad_files_give_one_line_errors(hub, tmp_path, name, body, message):
    with pytest.raises(FeatureError, match=message) as err:
        hub.roadmap.import_file(write(tmp_path / name, body))
    assert "\n" not in str(err.value)


def test_add_edit_archive_and_reimport_does_not_resurrect(hub, tmp_path):
    rm = hub.roadmap
    a = rm.add("Offline mode", "Work without a connection")
    b = rm.add("Dark mode")
    assert (a.id, b.id) == ("F-1", "F-2")
    with pytest.raises(FeatureError):
        rm.add("Again", feature_id="F-1")
    with pytest.raises(FeatureError):
        rm.add("   ")
    assert rm.edit("F-1", status="Planned", title="Offline-first").title == "Offline-first"
    assert rm.feature("F-1").description == "Work without a connection"
    path = write(tmp_path / "jira.csv", JIRA_CSV)
    rm.import_file(path)
    rm.archive("TB-1")
    assert [f.id for f in rm.features()] == ["F-1", "F-2", "TB-2"]
    rm.import_file(write(path, JIRA_CSV.replace("Faster PDF export", "Fast PDF export")))
    assert rm.feature("TB-1").archived and rm.feature("TB-1").title == "Fast PDF export"
    assert "TB-1" in [f.id for f in rm.features(include_archived=True)]
    rm.archive("TB-1", archived=False)
    assert not rm.feature("TB-1").archived
    with pytest.raises(KeyError):
        rm.feature("NOPE-1")


def _cli(home, *args):
    from research_hub.cli import app

    return CliRunner().invoke(app, ["--home", str(home), *args])


def test_cli_imports_the_sample_roadmap_idempotently(tmp_path):
    home = tmp_path / "ws"
    path = SAMPLES / "roadmap" / "features.csv"
    first = _cli(home, "features", "import", str(path), "--json")
    assert first.exit_code == 0, first.output
    added = json.loads(first.output)["added"]
    assert len(added) >= 5
    second = _cli(home, "features", "import", str(path), "--json")
    out = json.loads(second.output)
    assert (out["added"], out["updated"], sorted(out["unchanged"])) == ([], [], sorted(added))
    listed = json.loads(_cli(home, "features", "list", "--json").output)
    assert sorted(r["feature_id"] for r in listed) == sorted(added)


def test_cli_add_edit_archive_show_and_errors(tmp_path):
    home = tmp_path / "ws"
    assert _cli(home, "features", "add", "Offline [bold]mode[/bold]", "-d", "works offline").exit_code == 0
    assert _cli(home, "features", "edit", "F-1", "--status", "Planned").exit_code == 0
    shown = json.loads(_cli(home, "features", "show", "F-1", "--json").output)
    assert shown["feature"]["title"] == "Offline [bold]mode[/bold]"
    assert shown["feature"]["status"] == "Planned"
    assert _cli(home, "features", "archive", "F-1").exit_code == 0
    assert json.loads(_cli(home, "features", "list", "--json").output) == []
    assert len(json.loads(_cli(home, "features", "list", "--all", "--json").output)) == 1
    for args in (("features", "show", "NOPE"), ("features", "import", str(tmp_path / "missing.csv")),
                 ("features", "list", "--sort", "loudest"), ("export", "NOPE", "--format", "md")):
        result = _cli(home, *args)
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output and "error:" in result.output
