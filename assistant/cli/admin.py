"""`guide users` and `guide audit`: manage accounts and read the audit log from the command line.

Whoever runs these can already read and write the data folder, so they act as an admin; every
change is recorded in the audit log as `cli:<os user>`. Registered on the `guide` group at the
bottom of assistant/cli/commands.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from assistant.accounts import AccountStore, Role, hash_password
from assistant.audit import AuditAction, AuditLog
from assistant.cli.support import cli_user, data_dir_option, human_errors, make_settings
from assistant.config import Settings
from assistant.errors import GuideError

ROLE_CHOICE = click.Choice([r.value for r in Role], case_sensitive=False)
password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise GuideError("No password on standard input: pass it as the first line.")
        return password
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


@contextmanager
def audited(settings: Settings, action: AuditAction, what: dict[str, Any]) -> Iterator[None]:
    """Record the change on success as "ok", or a refused change with its reason."""
    log = AuditLog.from_settings(settings)
    try:
        yield
    except GuideError as exc:
        log.record(cli_user(), action, what, f"refused: {exc}", role=Role.ADMIN)
        raise
    log.record(cli_user(), action, what, "ok", role=Role.ADMIN)


# -- users ------------------------------------------------------------------------------------
@click.group()
def users() -> None:
    """Add, list and remove the accounts that sign in to the app.

    With no accounts the app runs in local single-user mode; once any exists, everyone signs
    in. Add an admin first.
    """


@users.command(name="add")
@click.argument("name")
@click.option("--role", required=True, type=ROLE_CHOICE, help="What the account may do.")
@password_stdin_option
@data_dir_option
@human_errors
def users_add(name: str, role: str, password_stdin: bool, data_dir: Path | None) -> None:
    """Add an account NAME with a role (officer, staff, evaluator, admin)."""
    settings = make_settings(data_dir)
    store = AccountStore.from_settings(settings)
    password = read_password(password_stdin)
    with audited(settings, AuditAction.USER_ADD, {"name": name, "role": role.lower()}):
        account = store.add(name, Role(role.lower()), password)
    click.echo(f"Added {account.name} ({account.role}).")


@users.command(name="list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
@human_errors
def users_list(data_dir: Path | None, as_json: bool) -> None:
    """List the accounts and their roles (never their password hashes)."""
    store = AccountStore.from_settings(make_settings(data_dir))
    rows = [
        {"name": a.name, "role": str(a.role), "created_at": a.created_at} for a in store.accounts()
    ]
    if as_json:
        source = "GUIDE_ACCOUNTS_JSON" if store.read_only else str(store.path)
        click.echo(json.dumps({"source": source, "accounts": rows}, indent=2))
        return
    if not rows:
        click.echo(
            "No accounts: the app runs in local single-user mode. "
            "Add an admin with `guide users add NAME --role admin`."
        )
        return
    for row in rows:
        click.echo(f"{row['name']}  |  {row['role']}  |  added {row['created_at'] or '-'}")
    if store.read_only:
        click.echo("\nThese accounts come from GUIDE_ACCOUNTS_JSON and are read-only.")


@users.command(name="remove")
@click.argument("name")
@data_dir_option
@human_errors
def users_remove(name: str, data_dir: Path | None) -> None:
    """Remove the account NAME."""
    settings = make_settings(data_dir)
    store = AccountStore.from_settings(settings)
    with audited(settings, AuditAction.USER_REMOVE, {"name": name}):
        store.remove(name)
    _end_sessions(settings, name)
    _revoke_tokens(settings, name)
    click.echo(f"Removed {name}.")
    if not store.enabled():
        click.echo("No accounts remain: the app now runs in local single-user mode.")


@users.command(name="set-role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@data_dir_option
@human_errors
def users_set_role(name: str, role: str, data_dir: Path | None) -> None:
    """Give the account NAME a new ROLE."""
    settings = make_settings(data_dir)
    store = AccountStore.from_settings(settings)
    with audited(settings, AuditAction.USER_ROLE, {"name": name, "role": role.lower()}):
        account = store.set_role(name, Role(role.lower()))
    click.echo(f"{account.name} is now {account.role}.")


@users.command(name="passwd")
@click.argument("name")
@password_stdin_option
@data_dir_option
@human_errors
def users_passwd(name: str, password_stdin: bool, data_dir: Path | None) -> None:
    """Set a new password for the account NAME."""
    settings = make_settings(data_dir)
    store = AccountStore.from_settings(settings)
    password = read_password(password_stdin, prompt="New password")
    with audited(settings, AuditAction.USER_PASSWORD, {"name": name}):
        store.set_password(name, password)
    _end_sessions(settings, name)
    click.echo(f"Password changed for {name}; its sessions in the app have ended.")


def _end_sessions(settings: Settings, name: str) -> None:
    """Forget the sessions of `name` now. The app would refuse them anyway (their account's
    epoch changed, or it is gone); this only clears them out of the sign-in state."""
    from assistant.signin import SessionStore

    if settings.sign_in_db_path.exists():
        SessionStore.from_settings(settings).end_all(name)


def _revoke_tokens(settings: Settings, name: str) -> None:
    """A removed account's API tokens are revoked: an account added later under the same name is
    someone else."""
    from assistant.tokens import TokenStore

    revoked = TokenStore.from_settings(settings).revoke_account(name)
    if revoked:
        click.echo(f"Revoked its {revoked} API token{'s' if revoked != 1 else ''}.")


# -- API tokens -------------------------------------------------------------------------------
@users.group(name="token")
def users_token() -> None:
    """API tokens for scripts: `Authorization: Bearer <token>` on the REST API (/api/v1).

    A token acts as its account, with the account's role as it is now. It is shown once, when
    made; only its SHA-256 digest is kept.
    """


@users_token.command(name="add")
@click.argument("name")
@click.option("--label", required=True, help="What will use it, e.g. 'nightly upload script'.")
@data_dir_option
@human_errors
def users_token_add(name: str, label: str, data_dir: Path | None) -> None:
    """Make an API token acting as the account NAME; print it (once) on standard output."""
    from assistant.tokens import TokenStore

    settings = make_settings(data_dir)
    if AccountStore.from_settings(settings).get(name) is None:
        raise GuideError(f"No account called {name!r}; add it first with `guide users add`.")
    store = TokenStore.from_settings(settings)
    with audited(settings, AuditAction.TOKEN_CREATE, {"name": name, "label": label}):
        made = store.create(name, label)
    click.echo(made.token)
    click.echo(
        f"Token {made.info.id} for {name}: shown only now; keep it in the script's secret store.",
        err=True,
    )


@users_token.command(name="list")
@click.argument("name", required=False)
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
@human_errors
def users_token_list(name: str | None, data_dir: Path | None, as_json: bool) -> None:
    """List API tokens (of NAME, or everyone's): id, account, label, when made, last used and
    revoked; never the tokens themselves."""
    from dataclasses import asdict

    from assistant.tokens import TokenStore

    found = TokenStore.from_settings(make_settings(data_dir)).list(name)
    if as_json:
        click.echo(json.dumps({"tokens": [asdict(t) for t in found]}, indent=2))
        return
    if not found:
        click.echo("No API tokens." if name is None else f"{name} has no API tokens.")
        return
    for t in found:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        used = t.last_used_at or "never"
        click.echo(
            f"{t.id}  |  {t.account}  |  {t.label}  |  made {t.created_at}  |  "
            f"last used {used}  |  {state}"
        )


@users_token.command(name="revoke")
@click.argument("token_id")
@data_dir_option
@human_errors
def users_token_revoke(token_id: str, data_dir: Path | None) -> None:
    """Revoke the API token TOKEN_ID (from `guide users token list`); it stops at once."""
    from assistant.tokens import TokenStore

    settings = make_settings(data_dir)
    with audited(settings, AuditAction.TOKEN_REVOKE, {"token": token_id}):
        gone = TokenStore.from_settings(settings).revoke(token_id)
    click.echo(f"Revoked token {gone.id} ({gone.account}: {gone.label}).")


@users.command(name="unlock")
@click.argument("name")
@click.option("--client", default=None, help="Also lift a pause on this client address.")
@data_dir_option
@human_errors
def users_unlock(name: str, client: str | None, data_dir: Path | None) -> None:
    """Lift a sign-in pause on NAME (after too many failed attempts) and forget its failures."""
    from assistant.signin import SignInGuard

    settings = make_settings(data_dir)
    what = {"name": name, **({"client": client} if client else {})}
    with audited(settings, AuditAction.USER_UNLOCK, what):
        guard = SignInGuard.from_settings(settings)
        lifted = guard.unlock(name)
        if client:
            lifted = guard.unlock_client(client) or lifted
    click.echo(f"Lifted the pause on {name}." if lifted else f"{name} was not paused.")


@users.command(name="hash")
@password_stdin_option
@human_errors
def users_hash(password_stdin: bool) -> None:
    """Print an Argon2id hash of a password, for an account in GUIDE_ACCOUNTS_JSON."""
    click.echo(hash_password(read_password(password_stdin)))


# -- audit ------------------------------------------------------------------------------------
def format_entry(entry: dict[str, Any]) -> str:
    """One line: time, who (role), action, what, result."""
    what = entry.get("what")
    if isinstance(what, dict):
        what = " ".join(f"{k}={v}" for k, v in what.items())
    who = entry.get("who", "?")
    if entry.get("role"):
        who = f"{who} ({entry['role']})"
    at, action, result = entry.get("at", "?"), entry.get("action", "?"), entry.get("result", "")
    return f"{at}  {who}  {action}  {what or '-'}  -> {result}"


@click.command()
@data_dir_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--action", type=click.Choice([a.value for a in AuditAction]), default=None)
@click.option("--who", default=None, help="Only this account (or cli:<user>, local).")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@human_errors
def audit(
    data_dir: Path | None, limit: int, action: str | None, who: str | None, as_json: bool
) -> None:
    """Show the audit log, newest first."""
    entries = AuditLog.from_settings(make_settings(data_dir)).entries(
        limit=limit, action=action, who=who
    )
    if as_json:
        click.echo(json.dumps({"entries": entries}, indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo("No audit entries match." if action or who else "The audit log is empty.")
        return
    for entry in entries:
        click.echo(format_entry(entry))
