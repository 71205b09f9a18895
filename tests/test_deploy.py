"""The container image and the compose file, checked for what can be checked without a container engine."""

from __future__ import annotations

import json
import re
import shlex
import tomllib

import yaml

from tests.conftest import PROJECT_ROOT

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
NGINX = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
CODE = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "bot").rglob("*.py"))


def instructions(name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in DOCKERFILE.splitlines() if line.startswith(name + " ")]


def test_the_image_runs_as_a_non_root_user_and_serves_on_its_exposed_port():
    lines = [line.split(None, 1)[0] for line in DOCKERFILE.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions("USER") == ["bot"] and lines.index("USER") < lines.index("CMD")
    command = " ".join(json.loads(instructions("CMD")[0]))  # the exec form is a JSON list
    assert "-m bot serve" in command and "--host 0.0.0.0" in command
    assert re.search(r"--port (\d+)", command).group(1) == instructions("EXPOSE")[0].strip()


def test_the_image_copies_only_what_exists_and_installs_torch_as_the_project_pins_it():
    for copy in instructions("COPY"):
        for source in shlex.split(copy)[:-1]:
            assert (PROJECT_ROOT / source).exists(), source
    pins = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "torch==2.13.0" in pins and "pip install torch==2.13.0" in DOCKERFILE
    assert "HF_HUB_OFFLINE=1" in DOCKERFILE  # nothing is downloaded at run time
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert "instance" in ignored and ".venv" in ignored  # a school's data never goes into an image


def test_compose_runs_two_web_processes_on_shared_stores_behind_one_trusted_proxy():
    services = COMPOSE["services"]
    webs = [name for name, service in services.items() if service.get("build") == "."]
    assert sorted(webs) == ["web1", "web2"] and {"postgres", "redis", "proxy"} <= set(services)
    for name in webs:
        env = services[name]["environment"]
        for variable in env:
            assert variable in CODE, f"{variable} is read nowhere in bot/"
        assert env["BOT_SCHOOLS"] == "1" and env["BOT_TRUSTED_PROXIES"] == "1"
        assert env["BOT_DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:" in env["BOT_DATABASE_URL"]
        assert env["BOT_RATE_LIMIT_STORAGE"].startswith("redis://redis:")
        assert f"shared:{env['BOT_INSTANCE_DIR']}" in services[name]["volumes"]
    upstream = re.findall(r"server (\w+):(\d+)", NGINX)
    assert sorted(upstream) == [("web1", "8000"), ("web2", "8000")]
    # the one trusted hop sets the client address itself, so a client cannot choose its own
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
