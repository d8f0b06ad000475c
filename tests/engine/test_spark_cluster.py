"""`parcours analyze` on a Spark cluster and through Spark Connect gives DuckDB's results.

The local-session parity suite (test_spark_parity.py) runs Spark inside the test process.
Here Spark runs as servers, as on a real deployment: a standalone master with one worker
(the CLI's process is the driver; a separate executor JVM reads the handed-over Parquet
file), and a Spark Connect server (the CLI is a thin gRPC client). Both come from the
``pyspark`` package itself (``bin/spark-class``, ``bin/spark-submit`` and its
``spark-connect`` jar), bound to 127.0.0.1 on free ports, started once for this file and
stopped at its end. Each test runs the real CLI in a child process, as a user would, and
compares every figure of ``analysis.json`` and every CSV table with a DuckDB run of the
same command.

Needs Java (17 or 21) and ``parcours[spark]`` (which brings the Connect client's gRPC
packages); skipped outside CI when either is missing, a failure in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from parcours.demo import write_demo
from tests.engine.test_spark_parity import differences, same_input

START_TIMEOUT = 120  # seconds for a master, worker or Connect server to answer


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Spark cluster tests cannot run: {reason}")
    pytest.skip(reason)


def _spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        _unavailable('PySpark is not installed (pip install "parcours[spark]")')
    if not shutil.which("java"):
        _unavailable("Java is not on the PATH (Spark needs Java 17 or 21)")
    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": sys.executable}


class Server:
    """A Spark JVM started as a child process (its own process group), its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], folder: Path):
        self.name, self.log = name, folder / f"{name}.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=folder, stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_for(self, pattern: str) -> re.Match:
        """The first match of ``pattern`` in the log, once the server wrote it."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log.read_text(errors="replace"))
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        pytest.fail(f"the Spark {self.name} did not start (waited for {pattern!r}); its log ends:\n{tail}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # spark-class's shell and its JVM
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._out.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("cluster_demo"), customers=1500, seed=11)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    """``spark://127.0.0.1:PORT``: a standalone master and one worker (2 cores, 2 GB). Ports
    are read from the logs: Spark moves to the next port when the one asked for was taken."""
    home = _spark_home()
    folder = tmp_path_factory.mktemp("spark_standalone")
    env, servers = _env(home), []
    spark_class = str(home / "bin" / "spark-class")
    try:
        master = Server("master", [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                   "--port", str(_free_port()), "--webui-port", str(_free_port())], env, folder)
        servers.append(master)
        port = master.wait_for(r"Successfully started service 'sparkMaster' on port (\d+)").group(1)
        master.wait_for("I have been elected leader")
        servers.append(Server("worker", [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                         "--cores", "2", "--memory", "2g", "--webui-port", str(_free_port()),
                                         "--work-dir", str(folder / "work"), f"spark://127.0.0.1:{port}"], env, folder))
        master.wait_for("Registering worker")
        yield f"spark://127.0.0.1:{port}"
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """``sc://127.0.0.1:PORT``: a Spark Connect server (its own local[2] Spark, in UTC)."""
    home = _spark_home()
    jars = sorted((home / "jars").glob("spark-connect_*.jar"))
    if not jars:
        _unavailable(f"this PySpark ({home}) ships no spark-connect jar (PySpark 4 does)")
    folder = tmp_path_factory.mktemp("spark_connect")
    server = Server("connect", [str(home / "bin" / "spark-submit"), "--class",
                                "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", "local[2]",
                                "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.session.timeZone=UTC",
                                "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
                                "--conf", f"spark.connect.grpc.binding.port={_free_port()}",
                                "--conf", f"spark.local.dir={folder / 'spill'}", str(jars[-1])], _env(home), folder)
    try:
        port = server.wait_for(r"Spark Connect server started at: 127\.0\.0\.1:(\d+)").group(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.stop()


def analyze(demo, out: Path, engine: str | None = None, *args: str) -> tuple[dict, dict[str, list[dict]]]:
    """Run ``parcours analyze`` as a user would; return analysis.json and every CSV table."""
    cmd = [sys.executable, "-m", "parcours", "analyze", str(demo.events_path), "--map", str(demo.map_path),
           "--feedback", str(demo.feedback_path), "--out", str(out), "--no-cache", *args]
    if engine:
        cmd += ["--engine", engine]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1",
           "PARCOURS_SPARK_CONF": "spark.sql.shuffle.partitions=2"}  # a small log: Spark's 200 are for big ones
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"{' '.join(cmd)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    tables = {p.name: pacsv.read_csv(p).to_pylist() for p in sorted(out.glob("*.csv")) if p.stat().st_size}
    return json.loads((out / "analysis.json").read_text(encoding="utf-8")), tables


BY = ("--by", "customer_type")  # a breakdown: every analysis again per group (Connect test only: time)


@pytest.fixture(scope="module")
def on_duckdb(demo, tmp_path_factory):
    return analyze(demo, tmp_path_factory.mktemp("duck") / "out")


@pytest.fixture(scope="module")
def on_duckdb_by(demo, tmp_path_factory):
    return analyze(demo, tmp_path_factory.mktemp("duck_by") / "out", None, *BY)


def assert_same(duck: tuple[dict, dict], other: tuple[dict, dict]) -> None:
    d, s = json.loads(json.dumps(duck[0])), json.loads(json.dumps(other[0]))
    same_input(d, s)
    problems = differences(d, s)
    assert problems == [], "\n".join(problems[:30])
    assert sorted(duck[1]) == sorted(other[1])
    for name in duck[1]:
        assert differences(duck[1][name], other[1][name], name) == []


def test_standalone_cluster_gives_duckdb_results(standalone, demo, on_duckdb, tmp_path):
    result = analyze(demo, tmp_path / "out", standalone)
    assert result[0]["summary"]["events"] > 10_000 and result[0]["feedback"]["overall"]
    assert len(result[1]["transitions.csv"]) > 20  # a table worth comparing
    assert_same(on_duckdb, result)


def test_spark_connect_gives_duckdb_results(connect_server, demo, on_duckdb_by, tmp_path):
    result = analyze(demo, tmp_path / "out", connect_server, *BY)
    assert result[0]["summary"]["events"] > 10_000 and len(result[0]["breakdown"]["groups"]) == 2
    assert_same(on_duckdb_by, result)


@pytest.mark.parametrize(("scheme", "kind"), [("sc", "Spark Connect server"), ("spark", "Spark master")])
def test_server_nobody_answers_is_a_clear_error(tmp_path, demo, scheme, kind):
    """A Connect URL or master nobody answers: a clear error within seconds, where Spark's own
    clients retried for minutes (Connect: over 10, silently; a master: Java traces)."""
    _spark_home()
    url = f"{scheme}://127.0.0.1:{_free_port()}"
    cmd = [sys.executable, "-m", "parcours", "analyze", str(demo.events_path), "--out", str(tmp_path / "o"),
           "--engine", url]
    started = time.monotonic()
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PARCOURS_SPARK_CONNECT_TIMEOUT": "5"})
    assert time.monotonic() - started < 60  # interpreter, imports and one refused connection
    assert run.returncode == 5, run.stdout + run.stderr
    assert f"no {kind} answers at {url}" in run.stderr
    assert "Exception" not in run.stderr and not (tmp_path / "o").exists()
