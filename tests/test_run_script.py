"""scripts/run starts web, worker and beat from the Procfile; the full stack is checked by hand."""

import subprocess

from tests.conftest import PROJECT_DIR


def procfile_processes() -> dict[str, str]:
    lines = (PROJECT_DIR / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_procfile_names_web_worker_and_beat() -> None:
    processes = procfile_processes()
    assert set(processes) == {"web", "worker", "beat"}
    assert "$PORT" in processes["web"]
    assert "celery -A config worker" in processes["worker"]
    assert "celery -A config beat" in processes["beat"]


def test_scripts_run_is_valid_bash_and_keeps_its_cleanup_trap() -> None:
    script = PROJECT_DIR / "scripts" / "run"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text()
    assert "honcho start" in text
    # `exec honcho` would replace the shell and skip the trap that stops a throwaway Redis.
    assert "exec honcho" not in text
