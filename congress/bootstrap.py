"""The README's two commands, with nothing but Python 3.12 and pip on the machine.

    python3.12 -m congress.bootstrap serve   # set everything up, then serve the seeded site on :8000
    python3.12 -m congress.bootstrap test    # the whole test suite (extra arguments go to pytest)

`serve` also writes a git-ignored `.env` for development (DJANGO_DEBUG=1 and a generated secret key), which
manage.py reads, so that every `.venv/bin/python manage.py …` command of the README works as written.

Standard library only: this runs before the virtual environment exists (manage.py imports it too).
"""

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock-sha256"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
ENV_FILE = ROOT / ".env"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (blank lines and # comments ignored; quotes around a value removed)."""
    values = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, equals, value = line.strip().partition("=")
            if equals and key and not key.startswith("#"):
                values[key.strip().removeprefix("export ").strip()] = value.strip().strip("\"'")
    return values


def load_env_file() -> None:
    """Development settings from `.env` (or $DJANGO_ENV_FILE); a variable already set in the environment wins."""
    for key, value in read_env_file(Path(os.environ.get("DJANGO_ENV_FILE") or ENV_FILE)).items():
        os.environ.setdefault(key, value)


def write_development_env_file() -> None:
    if ENV_FILE.exists():
        return
    print(f"Writing development settings to {ENV_FILE} (git-ignored; never used in production)", flush=True)
    ENV_FILE.write_text(
        "# Development settings, written by `python3.12 -m congress.bootstrap serve` and read by manage.py.\n"
        "# Variables set in the environment take precedence. Production sets its own (README, Deploying).\n"
        "DJANGO_DEBUG=1\n"
        f"DJANGO_SECRET_KEY=dev-{secrets.token_urlsafe(40)}\n",
        encoding="utf-8",
    )


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("→", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=True)


def ensure_environment() -> None:
    """Create .venv and install the locked dependencies, unless the lock is unchanged since the last install."""
    if sys.version_info < (3, 12):  # noqa: UP036  (runs under whatever python3 the user has)
        sys.exit(f"Python 3.12 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", LOCK)
        STAMP.write_text(digest)
    run(PYTHON, "manage.py", "compile_translations", env=development_env())


def development_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}


def serve() -> None:
    write_development_env_file()
    ensure_environment()
    env = development_env()
    run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    run(PYTHON, "manage.py", "load_seeds", env=env)
    print("Serving the seeded site on http://127.0.0.1:8000 (Ctrl-C to stop)", flush=True)
    os.chdir(ROOT)
    os.execve(PYTHON, [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000"], env)


def test(pytest_arguments: list[str]) -> None:
    ensure_environment()
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "-m", "pytest", *pytest_arguments])


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "serve":
        serve()
    elif command == "test":
        test(rest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
