"""`research-hub users add|remove|role|password|list`: who may sign in to the app, and their role."""
from __future__ import annotations

import sys

import typer

from research_hub.cli.common import console, err, hub, print_json, table
from research_hub.core.errors import InvalidInputError

ROLE_HELP = "viewer (search, read, export), editor (+ tags, links, highlights, insights, themes) " \
            "or admin (+ ingest, delete, settings, accounts)."


def read_password(from_stdin: bool, confirm: bool = True) -> str:
    """The password from stdin's first line, or asked for twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInputError("no terminal to ask for the password: pipe it in with --password-stdin")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)


def add(name: str = typer.Argument(..., help="Account name (letters, digits, . _ - @)."),
        role: str = typer.Option("viewer", "--role", help=ROLE_HELP),
        password_stdin: bool = typer.Option(False, "--password-stdin",
                                            help="Read the password from the first line of stdin.")):
    """Add an account that can sign in to the app; the password is asked for, never echoed."""
    account = hub().add_user(name, read_password(password_stdin), role)
    console.print(f"added {account.name} as {account.role}", markup=False)
    if account.role != "admin" and not any(a.role == "admin" for a in hub().users()):
        err.print("note: no account is admin yet, so nobody can ingest, delete or manage accounts "
                  "from the app (the CLI still can)", markup=False, highlight=False)


def remove(name: str):
    """Remove an account and end its sessions."""
    console.print(f"removed {hub().remove_user(name)}", markup=False)


def role(name: str, new_role: str = typer.Argument(..., metavar="ROLE", help=ROLE_HELP)):
    """Change an account's role; it applies at once, also to open sessions."""
    account = hub().set_role(name, new_role)
    console.print(f"{account.name} is now {account.role}", markup=False)


def password(name: str, password_stdin: bool = typer.Option(False, "--password-stdin")):
    """Set a new password for an account (its sessions end, its lock is lifted)."""
    hub().set_password(name, read_password(password_stdin))
    console.print(f"password of {name} changed", markup=False)


def list_(as_json: bool = typer.Option(False, "--json")):
    """Every account with its role (none: the app has no sign-in and everyone is admin)."""
    users = hub().users()
    if as_json:
        return print_json(users)
    if not users:
        console.print("no accounts: the app asks for no sign-in and everyone is admin "
                      "(it will only serve 127.0.0.1)", markup=False)
        return
    table("accounts", ["name", "role", "wrong passwords", "created"],
          [(a.name, a.role, a.failures, a.created_at) for a in users])
