"""scripts/run starts web, worker and beat from Procfile.dev; production runs Procfile."""

import subprocess

from tests.conftest import PROJECT_DIR


def procfile_processes(name: str) -> dict[str, str]:
    lines = (PROJECT_DIR / name).read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_development_procfile_runs_the_reloading_server_worker_and_beat() -> None:
    processes = procfile_processes("Procfile.dev")
    assert set(processes) == {"web", "worker", "beat"}
    assert "manage.py runserver" in processes["web"]
    assert "$PORT" in processes["web"]
    assert "celery -A config worker" in processes["worker"]
    assert "celery -A config beat" in processes["beat"]


def test_the_production_procfile_serves_with_gunicorn_and_its_redacting_config() -> None:
    processes = procfile_processes("Procfile")
    assert set(processes) == {"web", "worker", "beat"}
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi" in processes["web"]
    assert "runserver" not in processes["web"]
    assert "celery -A config worker" in processes["worker"]
    assert "celery -A config beat" in processes["beat"]


def test_scripts_run_is_valid_bash_and_keeps_its_cleanup_trap() -> None:
    script = PROJECT_DIR / "scripts" / "run"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text()
    assert "honcho start --procfile Procfile.dev" in text
    # `exec honcho` would replace the shell and skip the trap that stops a throwaway Redis.
    assert "exec honcho" not in text
