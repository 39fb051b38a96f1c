"""Accounts, roles, sessions and throttling; the `users` commands; the app's refusal to serve
a network without accounts. No wall clock: sessions and locks run on a fake clock."""
from __future__ import annotations

import inspect
import json

import pytest
from typer.testing import CliRunner

from research_hub import Hub, guard
from research_hub.cli import app
from research_hub.cli.workspace_cmd import serving_warning
from research_hub.core.access import lock_seconds
from research_hub.core.errors import AccessDeniedError, InvalidInputError, NotFoundError
from research_hub.insights.book import Insights
from research_hub.insights.highlights import Highlights
from research_hub.qda import QDA
from research_hub.roadmap import Roadmap

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def team(hub):
    """An empty workspace with one account of each role, on a fake clock."""
    hub.workspace.accounts.clock = Clock()
    for name, role in (("ada", "admin"), ("eve", "editor"), ("vic", "viewer")):
        hub.add_user(name, PASSWORD, role)
    return hub


def cli(home, *args, input: str | None = None):
    return CliRunner().invoke(app, ["--home", str(home), *args], input=input)


# -- hashing ---------------------------------------------------------------------------
def test_passwords_are_stored_as_argon2id_hashes_only(team):
    stored = team.workspace.db.scalar("SELECT password FROM accounts WHERE name = 'vic'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert team.workspace.accounts.hasher.verify(stored, PASSWORD)
    other = team.workspace.db.scalar("SELECT password FROM accounts WHERE name = 'eve'")
    assert other != stored  # salted: the same password hashes differently


def test_bad_names_passwords_and_roles_are_refused(hub):
    with pytest.raises(InvalidInputError, match="too short"):
        hub.add_user("sam", "short", "viewer")
    with pytest.raises(InvalidInputError, match="unknown role"):
        hub.add_user("sam", PASSWORD, "owner")
    with pytest.raises(InvalidInputError, match="not usable"):
        hub.add_user("sam smith", PASSWORD, "viewer")
    hub.add_user("Sam", PASSWORD, "viewer")
    with pytest.raises(InvalidInputError, match="already exists"):
        hub.add_user("sam", PASSWORD, "admin")
    assert [(a.name, a.role) for a in hub.users()] == [("sam", "viewer")]


# -- roles -----------------------------------------------------------------------------
def test_no_accounts_means_everyone_is_admin(hub):
    assert hub.as_user("anyone").workspace.role == "admin"
    with pytest.raises(NotFoundError):  # passed the role check, then found no snippet
        hub.as_user("anyone").add_tag("nope", "x")


def test_a_viewer_may_read_but_not_ingest_tag_delete_or_edit(team, tmp_path):
    vic = team.as_user("vic")
    assert vic.search("anything") == [] and vic.documents() == [] and vic.highlights.list() == []
    refused = [lambda: vic.ingest([tmp_path]), lambda: vic.add_tag("s", "x"),
               lambda: vic.delete_document("d"), lambda: vic.highlights.add("d", 0, 4),
               lambda: vic.insights.add("A finding."), lambda: vic.roadmap.add("A feature"),
               lambda: vic.set_config("redact", True), lambda: vic.rename_theme("t", "n"),
               lambda: vic.qda.import_qdc(tmp_path / "x.qdc"), lambda: vic.add_user("x", PASSWORD)]
    for call in refused:
        with pytest.raises(AccessDeniedError, match=r"vic \(viewer\) may not"):
            call()
    with pytest.raises(AccessDeniedError, match="may not tag: that needs the editor role"):
        vic.add_tag("s", "x")
    with pytest.raises(AccessDeniedError, match="may not ingest: that needs the admin role"):
        vic.ingest([tmp_path])


def test_an_editor_may_edit_but_not_ingest_delete_or_manage(team, tmp_path):
    eve = team.as_user("eve")
    feature = eve.roadmap.add("Faster exports")
    assert eve.roadmap.feature(feature.id).title == "Faster exports"
    assert eve.insights.add("Exports are slow.").statement == "Exports are slow."
    for call in (lambda: eve.ingest([tmp_path]), lambda: eve.delete_document("d"),
                 lambda: eve.set_role("vic", "admin"), lambda: eve.reindex()):
        with pytest.raises(AccessDeniedError, match=r"eve \(editor\) .* needs the admin role"):
            call()


def test_a_role_change_or_removal_applies_at_once(team):
    vic = team.as_user("vic")
    team.set_role("vic", "editor")
    assert vic.workspace.role == "editor"
    team.remove_user("vic")
    with pytest.raises(AccessDeniedError, match=r"vic \(no account here\)"):
        vic.add_tag("s", "x")


def test_the_folder_owner_is_admin_and_as_user_shares_the_opened_parts(team):
    assert team.workspace.role == "admin"  # Hub(home) without a user: the CLI
    vic = team.as_user("vic")
    assert vic.workspace.db is team.workspace.db and vic.workspace._open is team.workspace._open
    assert team.workspace.user != "vic"


def test_every_public_method_of_a_guarded_subsystem_is_in_its_table():
    for cls, table in ((Highlights, guard.HIGHLIGHTS), (Insights, guard.INSIGHTS),
                       (Roadmap, guard.ROADMAP), (QDA, guard.QDA)):
        public = {n for n, _ in inspect.getmembers(cls, callable) if not n.startswith("_")}
        assert public == set(table), (cls.__name__, public ^ set(table))


# -- sessions and throttling -------------------------------------------------------------
def test_a_session_lasts_session_hours_then_expires(team):
    clock = team.workspace.accounts.clock
    team.set_config("session_hours", 2)
    session = team.sign_in("vic", PASSWORD)
    assert (session.name, session.role) == ("vic", "viewer")
    assert PASSWORD not in json.dumps(team.workspace.db.query("SELECT * FROM sessions")[0][:])
    assert session.token not in str(list(team.workspace.db.query("SELECT * FROM sessions")[0]))
    clock.t += 2 * 3600 - 1
    assert team.session(session.token).name == "vic"
    clock.t += 2
    assert team.session(session.token) is None
    assert team.workspace.db.scalar("SELECT COUNT(*) FROM sessions") == 0


def test_sign_out_and_a_new_password_end_sessions(team):
    one, two = team.sign_in("eve", PASSWORD), team.sign_in("eve", PASSWORD)
    team.sign_out(one.token)
    assert team.session(one.token) is None and team.session(two.token) is not None
    team.set_password("eve", "another long one")
    assert team.session(two.token) is None
    with pytest.raises(AccessDeniedError, match="wrong account name or password"):
        team.sign_in("eve", PASSWORD)
    assert team.sign_in("eve", "another long one").name == "eve"


def test_wrong_passwords_lock_the_account_for_a_doubling_time_that_survives_a_restart(team):
    clock = team.workspace.accounts.clock
    for _ in range(3):
        with pytest.raises(AccessDeniedError, match="wrong account name or password"):
            team.sign_in("vic", "guess guess")
    with pytest.raises(AccessDeniedError, match="too many wrong passwords for vic: try again in 2 s"):
        team.sign_in("vic", PASSWORD)  # even the right password waits
    again = Hub(team.home)  # a restart: the lock is in the workspace
    again.workspace.accounts.clock = clock
    with pytest.raises(AccessDeniedError, match="too many wrong passwords"):
        again.sign_in("vic", PASSWORD)
    clock.t += 2
    with pytest.raises(AccessDeniedError, match="wrong account name or password"):
        again.sign_in("vic", "guess again")
    assert again.workspace.accounts.get("vic").locked_until == clock.t + 4  # doubled
    clock.t += 4
    assert again.sign_in("vic", PASSWORD).name == "vic"
    assert again.workspace.accounts.get("vic").failures == 0  # a right password clears it
    again.close()


def test_lock_times_double_up_to_a_ceiling():
    assert [lock_seconds(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    assert lock_seconds(40) == 15 * 60


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(team):
    with pytest.raises(AccessDeniedError, match="^wrong account name or password$"):
        team.sign_in("mallory", PASSWORD)


# -- the CLI -------------------------------------------------------------------------------
def test_users_commands_add_list_role_password_remove(tmp_path):
    home = tmp_path / "ws"
    done = cli(home, "users", "add", "Maria", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert "added maria as admin" in done.output and PASSWORD not in done.output
    assert cli(home, "users", "add", "sam", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    listed = json.loads(cli(home, "users", "list", "--json").output)
    assert [(u["name"], u["role"]) for u in listed] == [("maria", "admin"), ("sam", "viewer")]
    assert "password" not in listed[0]
    assert "sam is now editor" in cli(home, "users", "role", "sam", "editor").output
    assert cli(home, "users", "password", "sam", "--password-stdin", input="a new password\n").exit_code == 0
    hub = Hub(home)
    assert hub.sign_in("sam", "a new password").role == "editor"
    hub.close()
    assert "removed sam" in cli(home, "users", "remove", "sam").output
    bad = cli(home, "users", "remove", "sam")
    assert bad.exit_code == 1 and "no account 'sam'" in bad.output
    short = cli(home, "users", "add", "kim", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "too short" in short.output


def test_users_add_without_a_terminal_asks_for_password_stdin(tmp_path):
    done = cli(tmp_path / "ws", "users", "add", "kim", input="")
    assert done.exit_code == 1 and "--password-stdin" in done.output


def test_the_app_refuses_a_network_address_while_there_are_no_accounts(tmp_path):
    done = cli(tmp_path / "ws", "app", "--host", "0.0.0.0", "--port", "1")
    assert done.exit_code == 1
    assert "refusing to serve 0.0.0.0:1" in done.output and "--no-auth" in done.output


def test_what_serving_says_for_each_case():
    assert serving_warning("127.0.0.1", 8501, accounts=False, no_auth=False) is None
    with pytest.raises(AccessDeniedError, match="no accounts"):
        serving_warning("0.0.0.0", 8501, accounts=False, no_auth=False)
    assert "NO sign-in" in serving_warning("0.0.0.0", 8501, accounts=False, no_auth=True)
    assert "sign-in is required" in serving_warning("10.0.0.5", 8501, accounts=True, no_auth=False)
