"""Accounts and sign-in sessions in the workspace's SQLite file.

Passwords are kept as argon2id hashes (argon2-cffi). Wrong passwords lock the
account for a time that doubles with each further one (core.access.lock_seconds);
the count and the lock are rows, so a restart does not reset them. A session is a
random token whose sha256 is stored with an expiry; the role is read afresh on
every lookup, so a changed role or a removed account takes effect at once.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from research_hub.core.access import check_role, lock_seconds
from research_hub.core.errors import AccessDeniedError, InvalidInputError, NotFoundError
from research_hub.store.db import Database, now

NAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    failures: int = 0
    locked_until: float = 0.0
    created_at: str = ""


@dataclass(frozen=True)
class Session:
    token: str  # give it back to `session()`; only its hash is stored
    name: str
    role: str
    expires_at: float


def check_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not NAME.fullmatch(name):
        raise InvalidInputError(f"account name {name!r} is not usable: 1-64 letters, digits, "
                                "dots, dashes, underscores or @, starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInputError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return password


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None,
                 clock: Callable[[], float] = time.time):
        self.db = db
        self.hasher = hasher or PasswordHasher()
        self.clock = clock

    # -- accounts ------------------------------------------------------------------
    def any(self) -> bool:
        return self.db.scalar("SELECT 1 FROM accounts LIMIT 1") is not None

    def list(self) -> list[Account]:
        return [self._account(r) for r in self.db.query("SELECT * FROM accounts ORDER BY name")]

    def get(self, name: str) -> Account | None:
        row = self.db.one("SELECT * FROM accounts WHERE name = ?", ((name or "").strip().lower(),))
        return self._account(row) if row else None

    def role(self, name: str) -> str | None:
        return self.db.scalar("SELECT role FROM accounts WHERE name = ?", ((name or "").lower(),))

    def add(self, name: str, password: str, role: str) -> Account:
        name, role = check_name(name), check_role(role)
        hashed = self.hasher.hash(check_password(password))
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise InvalidInputError(f"account {name} already exists: use `users role` or remove it first")
            conn.execute("INSERT INTO accounts (name, password, role, created_at) VALUES (?, ?, ?, ?)",
                         (name, hashed, role, now()))
        return self.get(name)

    def set_role(self, name: str, role: str) -> Account:
        role = check_role(role)
        with self.db.transaction() as conn:
            if not conn.execute("UPDATE accounts SET role = ? WHERE name = ?", (role, self._known(name))).rowcount:
                raise NotFoundError(f"no account {name!r}")
        return self.get(name)

    def set_password(self, name: str, password: str) -> None:
        hashed = self.hasher.hash(check_password(password))
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET password = ?, failures = 0, locked_until = 0 WHERE name = ?",
                         (hashed, self._known(name)))
            conn.execute("DELETE FROM sessions WHERE account = ?", (name.lower(),))

    def remove(self, name: str) -> str:
        name = self._known(name)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE account = ?", (name,))
            conn.execute("DELETE FROM accounts WHERE name = ?", (name,))
        return name

    # -- signing in ----------------------------------------------------------------
    def sign_in(self, name: str, password: str, hours: float) -> Session:
        """A new session, or AccessDeniedError: wrong name or password, or locked for now."""
        name = (name or "").strip().lower()
        row = self.db.one("SELECT * FROM accounts WHERE name = ?", (name,))
        if row is None:
            self._verify(None, password)  # as slow as a real check: no hint which names exist
            raise AccessDeniedError("wrong account name or password")
        wait = row["locked_until"] - self.clock()
        if wait > 0:
            raise AccessDeniedError(f"too many wrong passwords for {name}: try again in {wait:.0f} s")
        if not self._verify(row["password"], password):
            self._failed(name, row["failures"] + 1)
            raise AccessDeniedError("wrong account name or password")
        return self._open_session(name, row["role"], hours)

    def session(self, token: str | None) -> Session | None:
        """The live session of this token, with the account's current role; None if expired or unknown."""
        if not token:
            return None
        row = self.db.one("SELECT s.account, s.expires_at, a.role FROM sessions s JOIN accounts a "
                          "ON a.name = s.account WHERE s.token_hash = ?", (_digest(token),))
        if row is None:
            return None
        if row["expires_at"] <= self.clock():
            self.sign_out(token)
            return None
        return Session(token, row["account"], row["role"], row["expires_at"])

    def sign_out(self, token: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ? OR expires_at <= ?",
                         (_digest(token), self.clock()))

    # -- helpers -------------------------------------------------------------------
    def _verify(self, hashed: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(hashed or self._dummy(), password or "") and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        return self._dummy_hash

    def _failed(self, name: str, failures: int) -> None:
        until = self.clock() + lock_seconds(failures) if lock_seconds(failures) else 0.0
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE name = ?",
                         (failures, until, name))

    def _open_session(self, name: str, role: str, hours: float) -> Session:
        token, at = secrets.token_urlsafe(32), self.clock()
        expires = at + hours * 3600
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET failures = 0, locked_until = 0 WHERE name = ?", (name,))
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (at,))
            conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(token), name, at, expires))
        return Session(token, name, role, expires)

    def _known(self, name: str) -> str:
        account = self.get(name)
        if account is None:
            raise NotFoundError(f"no account {name!r}; accounts: "
                                + (", ".join(a.name for a in self.list()) or "none"))
        return account.name

    @staticmethod
    def _account(row) -> Account:
        return Account(row["name"], row["role"], row["failures"], row["locked_until"], row["created_at"])
