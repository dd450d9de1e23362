"""What every tab shares: `refusal_keeps(n)` and `user_facing`, which turn a `GuideError` into
the message the person sees, and the `Page`, on which each tab registers what it refreshes when
the page loads.

    @refusal_keeps(4)  # a tab's handler with 4 outputs
    def on_remove(source_file: str, request: gr.Request) -> ...:
        user = gate.require(request, "manage_documents")  # AccessDenied -> a warning
        ...

    page.on_load([table, pick], lambda user: (rows(), ...) if user.can(...) else ...)
"""

# No `from __future__ import annotations` here: Gradio reads the handlers' type hints at runtime.
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from assistant.errors import GuideError
from assistant.ui.access import Gate, User

F = TypeVar("F", bound=Callable[..., Any])
LoadStep = Callable[[User], Sequence[Any]]


def logged(func: F) -> F:
    """One JSON log line per event a tab or Gradio API endpoint handles (assistant.logs): its
    action (the handler's name), the user, the outcome (ok, refused, error) and how long it
    took, under a fresh request id. An unexpected error is logged with its traceback, then
    raised as before (the page shows Gradio's short error, never the traceback). Works for
    streaming (generator) handlers too; the signature is kept for Gradio."""
    import inspect

    from assistant.logs import Timer, current_user, event, new_request_id, request_id

    action = func.__name__.removeprefix("on_").removeprefix("api_")

    def finish(timer: Timer, user: str, outcome: str, error: bool = False) -> None:
        event(
            "ui_event",
            level=40 if error else 20,
            exc_info=error,
            action=action,
            user=user,
            outcome=outcome,
            duration_ms=timer.ms(),
        )

    if inspect.isgeneratorfunction(func):

        @wraps(func)
        def streaming(*args: Any, **kwargs: Any) -> Any:
            timer, rid = Timer(), new_request_id()
            user = ""
            steps = func(*args, **kwargs)
            while True:
                token = request_id.set(rid)
                try:
                    piece = next(steps)
                except StopIteration:
                    finish(timer, user or current_user.get(), "ok")
                    return
                except GuideError:
                    finish(timer, user or current_user.get(), "refused")
                    raise
                except Exception:
                    finish(timer, user or current_user.get(), "error", error=True)
                    raise
                finally:
                    user = user or current_user.get()
                    request_id.reset(token)
                yield piece

        return streaming  # type: ignore[return-value]

    @wraps(func)
    def once(*args: Any, **kwargs: Any) -> Any:
        timer = Timer()
        token = request_id.set(new_request_id())
        user_token = current_user.set("")
        try:
            result = func(*args, **kwargs)
        except GuideError:
            finish(timer, current_user.get(), "refused")
            raise
        except Exception:
            finish(timer, current_user.get(), "error", error=True)
            raise
        else:
            finish(timer, current_user.get(), "ok")
            return result
        finally:
            current_user.reset(user_token)
            request_id.reset(token)

    return once  # type: ignore[return-value]


def refusal_keeps(outputs: int) -> Callable[[F], F]:
    """For a tab's handler with `outputs` outputs: a GuideError (a refused action: a missing
    tick, a bad file, a role that may not, a session that has ended) is shown as one warning
    (gr.Warning) and every output is left as it was and usable. Raising gr.Error instead would
    put an "Error" badge on each output, which then has to be closed before it can be used.
    Any other exception stays an unexplained error. The signature and type hints are kept, so
    Gradio still injects `gr.Request` and `gr.Progress`."""

    def decorate(func: F) -> F:
        inner = logged(func)

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            except GuideError as exc:
                import gradio as gr

                gr.Warning(str(exc))
                unchanged = tuple(gr.update() for _ in range(outputs))
                return unchanged[0] if outputs == 1 else unchanged

        return wrapper  # type: ignore[return-value]

    return decorate


def user_facing(func: F) -> F:
    """For an API endpoint: a GuideError raised as gr.Error, whose message Gradio returns to the
    client; any other exception stays an unexplained error. (A tab's handler uses
    `refusal_keeps`.) The signature and type hints are kept, so Gradio still injects
    `gr.Request`."""

    inner = logged(func)

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return inner(*args, **kwargs)
        except GuideError as exc:
            import gradio as gr

            raise gr.Error(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


class Page:
    """The page's load event, assembled from the steps the tabs register: each step gets the
    signed-in user and returns one value (or gr.update) per component it registered. One load
    event serves them all, so each page load resolves the session once."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self._outputs: list[Any] = []
        self._steps: list[tuple[int, LoadStep]] = []
        self._scripts: list[str] = []

    def on_load_js(self, script: str) -> None:
        """Run `script` (a JavaScript function, as an event's `js`) in the browser on page load."""
        self._scripts.append(script)

    def on_load(self, outputs: Sequence[Any], step: LoadStep) -> None:
        self._outputs.extend(outputs)
        self._steps.append((len(outputs), step))

    def attach(
        self,
        blocks: Any,
        whoami: Any,
        welcome: Callable[[User], str],
        tabs: Sequence[tuple[Any, str]],
    ) -> None:
        """Register the load event on `blocks`: `whoami` shows `welcome(user)` (or why nobody
        is signed in), each (tab, permission) in `tabs` is shown to users who have it, then
        every registered step runs."""
        import gradio as gr

        def on_load(request: gr.Request) -> tuple[Any, ...]:
            try:
                user = self.gate.user(request)
            except GuideError as exc:
                hidden = (gr.update(visible=False),) * len(tabs)
                return (f"**{exc}**", *hidden, *(gr.update(),) * len(self._outputs))
            values: list[Any] = [welcome(user)]
            values += [gr.update(visible=user.can(permission)) for _, permission in tabs]
            for count, step in self._steps:
                shown = tuple(step(user))
                if len(shown) != count:
                    raise ValueError(f"a page-load step returned {len(shown)} values, not {count}")
                values.extend(shown)
            return tuple(values)

        for script in self._scripts:
            blocks.load(None, None, None, js=script, api_visibility="private")
        blocks.load(
            on_load,
            None,
            [whoami, *(tab for tab, _ in tabs), *self._outputs],
            api_visibility="private",
        )
