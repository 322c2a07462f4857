"""`make run` ends with `manage.py serve`: the web server, the task worker and the loop that takes
the implicit decisions when deadlines pass, all stopped by Ctrl-C."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local URL)
            return response.status == 200
    except OSError:
        return False


@pytest.mark.slow
def test_serve_runs_web_worker_and_deadlines_and_ctrl_c_stops_them(tmp_path, transactional_db):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "GUICHET_VAR_DIR": str(tmp_path)}
    manage = [sys.executable, "manage.py"]
    if connection.vendor == "sqlite":
        # serve's database, under GUICHET_VAR_DIR: a copy of this test process's migrated one.
        with (
            closing(sqlite3.connect(connection.settings_dict["NAME"])) as source,
            closing(sqlite3.connect(tmp_path / "guichet.sqlite3")) as copy,
        ):
            source.backup(copy)
    else:
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    port = free_port()
    hubee = f"http://127.0.0.1:{free_port()}"  # the demo's stand-in HubEE, where serve starts it
    env |= {"GUICHET_HUBEE_API_URL": f"{hubee}/teledossiers/v1", "GUICHET_HUBEE_TOKEN_URL": f"{hubee}/oauth2/token"}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(  # noqa: S603
            [*manage, "serve", "--addrport", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        # All are up: the site answers, the worker polls its queues, the deadlines loop has started.
        up = wait_for(lambda: answers(f"http://127.0.0.1:{port}/"), timeout=90)
        worker_up = wait_for(lambda: "Starting worker" in log_path.read_text(), timeout=90)
        deadlines_up = wait_for(lambda: "vérification toutes les 300 secondes" in log_path.read_text(), timeout=90)
        sealer_up = wait_for(lambda: "scellement toutes les 1 secondes" in log_path.read_text(), timeout=90)
        # No authority in development: the timestamping loop says so and keeps running.
        timestamper_up = wait_for(lambda: "horodatage toutes les 86400 secondes" in log_path.read_text(), timeout=90)
        followups_up = wait_for(lambda: "Suites : reprise toutes les 60 secondes" in log_path.read_text(), timeout=90)
        files_up = wait_for(lambda: "nettoyage toutes les 3600 secondes" in log_path.read_text(), timeout=90)
        retention_up = wait_for(lambda: "échéances examinées toutes les 3600" in log_path.read_text(), timeout=90)
        transfers_up = wait_for(lambda: "Versements aux archives : toutes les 300" in log_path.read_text(), timeout=90)
        hubee_up = wait_for(lambda: "HubEE : relève toutes les 30 secondes" in log_path.read_text(), timeout=90)
        tasks_up = wait_for(lambda: "remise en file toutes les 30 secondes" in log_path.read_text(), timeout=90)
        stand_in_up = wait_for(lambda: f"HubEE de démonstration : {hubee}" in log_path.read_text(), timeout=90)
        running = serve.poll() is None
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
    output = log_path.read_text()
    assert up, f"the web server never answered:\n{output}"
    assert worker_up and "queues=*" in output, f"the worker never started:\n{output}"
    assert deadlines_up, f"the deadlines loop never started:\n{output}"
    assert sealer_up, f"the audit trail's sealing loop never started:\n{output}"
    assert timestamper_up, f"the audit trail's timestamping loop never started:\n{output}"
    assert "Aucune autorité d’horodatage" in output, output
    assert followups_up, f"the follow-up chains' resume loop never started:\n{output}"
    assert files_up, f"the unused files' clean-up loop never started:\n{output}"
    assert retention_up, f"the retention loop never started:\n{output}"
    assert transfers_up, f"the archive transfers' loop never started:\n{output}"
    assert hubee_up and stand_in_up, f"HubEE's polling loop or its demo stand-in never started:\n{output}"
    assert tasks_up, f"the loop that puts killed workers' tasks back in the queue never started:\n{output}"
    assert running, f"serve stopped although its processes should run:\n{output}"
    assert serve.returncode == 0, output
    assert "Arrêt demandé." in output
    assert wait_for(lambda: not answers(f"http://127.0.0.1:{port}/"), timeout=5), "the web server outlived serve"
