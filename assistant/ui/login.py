"""Sign-in: our own /login and /logout in front of the Gradio app, with server-side sessions.

Gradio's built-in `auth` keeps `token -> name` in memory with no way to end a session when a
password changes, and no throttling. Instead the Blocks are mounted on a FastAPI app
(`gr.mount_gradio_app(..., auth_dependency=...)`) whose /login checks the password (throttled
and paused per name and per client address, assistant.signin), starts a session bound to the
account's credential epoch, and sets it in an HttpOnly, SameSite=Lax cookie (Secure over
https). Every request resolves the session again, so a password change, a removal or a new
account of the same name ends old sessions at once, even when made by `guide users` in another
process.

POST /login takes the form fields `username` and `password`: a browser's form gets a redirect
to the app (or the form again with the reason); a script, such as gradio_client's
`Client(url, auth=(name, password))`, gets `{"success": true}` and the cookie, or 401 for a wrong
name or password and 429 while sign-in is paused.

In local single-user mode (no accounts) none of this applies: nobody signs in.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' type hints at runtime, and
# fastapi is imported inside `mount` (heavy imports stay out of module scope).
import html
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.accounts import Account
from assistant.audit import AuditAction
from assistant.config import Settings
from assistant.errors import GuideError
from assistant.signin import Paused, SignInGuard
from assistant.ui.access import SESSION_COOKIE, Gate

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI

MAX_FORM_BYTES = 16 * 1024
MAX_PASSWORD_CHARS = 1024
HASHING_AT_ONCE = 2  # sign-ins checked at once; each takes 46 MiB for about 0.1 s
WRONG = (
    "That name and password do not match an account. Check both and try again; after a few "
    "failed attempts sign-in pauses for a while."
)
SIGNED_OUT = "You are signed out."
WELCOME = "Sign in to Mutuals Guide with the account an admin created for you."


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a sign-in attempt came to: a session token, or an HTTP status and the reason."""

    status: int
    message: str = ""
    token: str = ""
    account: Account | None = None
    retry_after: int = 0


class SignInDesk:
    """Checks a name and password under the throttle, audits the result, starts the session."""

    def __init__(self, gate: Gate, guard: SignInGuard) -> None:
        self.gate = gate
        self.guard = guard
        self._hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)

    def sign_in(self, name: str, password: str, client: str) -> Outcome:
        if not name or not password:
            return Outcome(400, "Enter your name and your password.")
        attempt = self.guard.begin(name, client)
        if isinstance(attempt, Paused):
            self._report(name, client, "refused: sign-in paused")
            return Outcome(429, attempt.message(), retry_after=int(attempt.seconds) + 1)
        account = None
        if len(password) <= MAX_PASSWORD_CHARS:
            with self._hashing:  # bounds the memory and CPU a flood of sign-ins can take
                account = self.gate.accounts.authenticate(name, password)
        if account is None:
            self._report(name, client, "refused: wrong name or password")
            return Outcome(401, WRONG)
        self.guard.succeeded(attempt)
        self._log(self.guard.due_reports())
        self.gate.audit.record(
            account.name, AuditAction.SIGN_IN, {"client": client}, "ok", role=account.role.value
        )
        return Outcome(200, token=self.gate.sessions.create(account), account=account)

    def _report(self, name: str, client: str, result: str) -> None:
        """Failed sign-ins go to their own log, at most one entry a minute per name and
        address (with the count); a disk problem there must not turn a refusal into a crash."""
        self._log(self.guard.report(name, client, result))

    def _log(self, due: list[dict[str, Any]]) -> None:
        try:
            for entry in due:
                self.gate.audit.record(
                    entry["name"],
                    AuditAction.SIGN_IN_FAILED,
                    {"client": entry["client"], "count": entry["count"]},
                    entry["result"],
                )
        except GuideError:
            pass

    def warm_up(self) -> None:
        """Make the stand-in hash for unknown names now, so the first one costs no more."""
        self.gate.accounts.authenticate("", "")


def page(message: str = "", name: str = "", alert: bool = True) -> str:
    """The sign-in form; everything shown is escaped."""
    note = ""
    if message:
        role = ' role="alert"' if alert else ' role="status"'
        note = f'<p class="note"{role}>{html.escape(message)}</p>'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Mutuals Guide</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; }}
main {{ max-width: 24rem; margin: 10vh auto; background: #fff; padding: 2rem;
  border: 1px solid #d0d7de; border-radius: 8px; }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
label {{ display: block; margin-top: 1rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem;
  font-size: 1rem; border: 1px solid #8c959f; border-radius: 4px; }}
input:focus, button:focus {{ outline: 3px solid #0969da; outline-offset: 1px; }}
button {{ margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; background: #1f6feb;
  color: #fff; border: 0; border-radius: 4px; cursor: pointer; }}
.note {{ padding: .75rem; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; }}
</style>
</head>
<body>
<main>
<h1>Mutuals Guide</h1>
<p>{html.escape(WELCOME)}</p>
{note}
<form method="post" action="login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required maxlength="64"
  autocapitalize="none" spellcheck="false" value="{html.escape(name, quote=True)}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
"""


_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def client_address(request: Any) -> str:
    """The caller's address (a trusted proxy's X-Forwarded-For is applied by uvicorn first)."""
    client = getattr(request, "client", None)
    return str(client.host) if client is not None and client.host else "unknown"


def mount(
    blocks: "gr.Blocks",
    gate: Gate,
    settings: Settings,
    allowed_paths: list[str],
    extra: "Callable[[FastAPI], None] | None" = None,
) -> "FastAPI":
    """The app to serve: /login, /logout, whatever `extra` adds (the REST API) and the Gradio
    Blocks at /, behind the sessions."""
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.concurrency import run_in_threadpool

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    desk = SignInDesk(gate, SignInGuard.from_settings(settings, db=gate.sessions.db))
    required = gate.sign_in_required

    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def wants_html(request: Request) -> bool:
        return "text/html" in request.headers.get("accept", "")

    @app.get("/login")
    def login_page(request: Request, signed_out: str = "") -> Response:
        if not required or gate.account(request) is not None:
            return RedirectResponse(base(request) + "/", status_code=303)
        shown = SIGNED_OUT if signed_out else ""
        return HTMLResponse(page(shown, alert=False), headers=_PAGE_HEADERS)

    @app.post("/login")
    async def login(request: Request) -> Response:
        if not required:
            return RedirectResponse(base(request) + "/", status_code=303)
        form = await _read_form(request)
        if form is None:
            outcome = Outcome(400, "Send the form fields username and password.")
            name = ""
        else:
            name, password = form.get("username", "").strip(), form.get("password", "")
            try:
                outcome = await run_in_threadpool(
                    desk.sign_in, name, password, client_address(request)
                )
            except GuideError as exc:  # the accounts file or the audit log cannot be used
                outcome = Outcome(503, str(exc))
        if outcome.status == 200:
            response: Response
            if wants_html(request):
                response = RedirectResponse(base(request) + "/", status_code=303)
            else:
                response = JSONResponse({"success": True})
            response.set_cookie(
                SESSION_COOKIE,
                outcome.token,
                path=base(request) + "/",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
            return response
        headers = dict(_PAGE_HEADERS)
        if outcome.retry_after:
            headers["Retry-After"] = str(outcome.retry_after)
        if wants_html(request):
            return HTMLResponse(page(outcome.message, name), outcome.status, headers=headers)
        return JSONResponse({"detail": outcome.message}, outcome.status, headers=headers)

    @app.api_route("/logout", methods=["GET", "POST"])
    def logout(request: Request) -> Response:
        gate.sessions.end(request.cookies.get(SESSION_COOKIE))
        target = base(request) + ("/login?signed_out=1" if required else "/")
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=base(request) + "/")
        response.headers["Cache-Control"] = "no-store"
        return response

    def signed_in_name(request: Request) -> str | None:
        account = gate.account(request)
        return account.name if account is not None else None

    if extra is not None:
        extra(app)
    if required:
        desk.warm_up()
        app.add_middleware(_RedirectToSignIn, gate=gate)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        auth_dependency=signed_in_name if required else None,
        allowed_paths=allowed_paths,
        show_error=True,
        footer_links=["api"],
    )


async def _read_form(request: Any) -> dict[str, str] | None:
    """The url-encoded form of a POST, read up to MAX_FORM_BYTES; None if it is not one."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = urllib.parse.parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=10
        )
    except (UnicodeDecodeError, ValueError):
        return None
    return {key: values[0] for key, values in fields.items() if values}


class _RedirectToSignIn:
    """Sends a browser that asks for the app's page without a live session to /login (the
    API answers 401 itself, through the auth dependency)."""

    def __init__(self, app: Any, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"] in ("", "/")
        ):
            from starlette.requests import Request
            from starlette.responses import RedirectResponse

            if self.gate.account(Request(scope)) is None:
                root = str(scope.get("root_path", "")).rstrip("/")
                response = RedirectResponse(root + "/login", status_code=303)
                response.headers["Cache-Control"] = "no-store"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
