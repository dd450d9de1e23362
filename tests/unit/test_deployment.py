"""The Dockerfile and compose.yaml cannot be built here (no Docker), so they are checked against
the code they deploy: every GUIDE_* variable is a real setting with a valid value, every
command is one the `guide` CLI accepts, the app finds its Chroma server and data volume where
compose puts them, its health check asks /readyz on the port it serves, and the image installs
the torch and Python that pyproject.toml pins."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import click
import pytest
import yaml

from assistant.cli import main
from assistant.config import Settings
from tests.helpers import ROOT

pytestmark = pytest.mark.unit

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
GUIDE_SERVICES = [name for name, s in SERVICES.items() if s["command"][0] == "guide"]


def _settings(env: dict[str, str]) -> Settings:
    unknown = {k for k in env if k.startswith("GUIDE_")} - {
        f"GUIDE_{name.upper()}" for name in Settings.model_fields
    }
    assert not unknown, f"not settings: {unknown}"
    values = {k[len("GUIDE_") :].lower(): v for k, v in env.items() if k.startswith("GUIDE_")}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _accepted(command: list[str]) -> click.Context:
    """The `guide` subcommand's parsed context; a UsageError if the CLI would refuse it."""
    assert command[0] == "guide"
    group_ctx = main.make_context("guide", [command[1]], resilient_parsing=True)
    sub = main.get_command(group_ctx, command[1])
    assert sub is not None, f"no such command: guide {command[1]}"
    return sub.make_context(command[1], list(command[2:]), parent=group_ctx)


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_compose_runs_guide_commands_the_cli_accepts_with_real_settings():
    assert {"chroma", "app", "ingest"} <= set(SERVICES)
    assert "serve" in {SERVICES[name]["command"][1] for name in GUIDE_SERVICES}
    for name in GUIDE_SERVICES:
        service = SERVICES[name]
        _accepted(service["command"])
        settings = _settings(service["environment"])
        # the Chroma server is a service of this file, on the port its command serves
        assert settings.chroma_host in SERVICES, name
        chroma = SERVICES[settings.chroma_host]["command"]
        assert chroma[:2] == ["chroma", "run"]
        assert int(_option(chroma, "--port")) == settings.chroma_port
        assert _option(chroma, "--host") == "0.0.0.0"
        # the library is the volume mounted at the data dir, the same one for every process
        mounts = dict(v.split(":")[::-1] for v in service["volumes"])
        assert mounts[str(settings.data_dir)] == "library", name
        assert mounts[str(settings.data_dir)] in COMPOSE["volumes"]


def test_the_app_listens_where_its_port_and_health_check_say():
    app = SERVICES["app"]
    context = _accepted(app["command"])
    port = context.params["port"] or _settings(app["environment"]).port
    assert context.params["host"] == "0.0.0.0"
    assert [str(p).split(":")[-1] for p in app["ports"]] == [str(port)]
    check = " ".join(app["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/readyz" in check
    # the app waits for a healthy server and a finished first ingest (it refuses an empty one)
    assert app["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert app["depends_on"]["ingest"]["condition"] == "service_completed_successfully"
    assert "/api/v2/heartbeat" in " ".join(SERVICES["chroma"]["healthcheck"]["test"])


def test_the_dockerfile_matches_the_package_it_installs():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = dict(d.split("==") for d in pyproject["project"]["dependencies"] if "==" in d)
    assert re.search(rf"^ARG TORCH_VERSION={re.escape(pins['torch'])}$", DOCKERFILE, re.M)
    assert "download.pytorch.org/whl/cpu" in DOCKERFILE  # the CPU wheel, not CUDA
    python = re.search(r"^FROM python:(\d+\.\d+)", DOCKERFILE, re.M)
    assert python and f">={python.group(1)}" in pyproject["project"]["requires-python"]
    # every GUIDE_* it sets is a setting with a valid value
    env = dict(re.findall(r"\b(GUIDE_[A-Z_]+)=(\S+)", DOCKERFILE))
    assert env and _settings(env).host == "0.0.0.0"
    for flag in (
        "HF_HUB_OFFLINE=1",
        "GRADIO_ANALYTICS_ENABLED=False",
        "ANONYMIZED_TELEMETRY=False",
    ):
        assert flag in DOCKERFILE
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd is not None
    _accepted(yaml.safe_load(cmd.group(1)))
    # nothing it copies is left out of the build context
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M)
    for sources in copied:
        for source in sources.split():
            assert (ROOT / source).exists(), source
            assert not any(source == i or source.startswith(i + "/") for i in ignored), source
