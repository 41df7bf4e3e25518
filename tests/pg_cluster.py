"""A throwaway PostgreSQL 15 server for the test suite.

Core (no pytest needed)::

    with ThrowawayCluster() as pg:          # initdb + start, ~1 s
        pg.url                               # postgresql://postgres@127.0.0.1:PORT/crm_test
        pg.create_database("other")          # -> URL of a new, empty database
        pg.bin_dir                           # Path of the server binaries
    # server stopped (pg_ctl stop -m immediate), temp dir removed

The server runs as the ``postgres`` OS user when we are root (PostgreSQL refuses
to run as root) and as the current user otherwise. It listens on 127.0.0.1 only,
on a free port, with its unix socket inside the temp dir, and is tuned for a test
box (fsync/synchronous_commit/full_page_writes off).

pytest part: a session-scoped fixture ``pg_cluster`` yielding a started cluster
(or, when ``CRM_TEST_PG_URL`` is set, an :class:`ExternalServer` for that URL with
the same ``url`` / ``create_database`` API). Register it for the whole suite with
``pytest_plugins = ["tests.pg_cluster"]`` in the top-level ``tests/conftest.py``
or import it explicitly (``from tests.pg_cluster import pg_cluster``); every
registration shares the same server, so doing both does not start a second one.

Environment:
    CRM_TEST_PG_URL  use this server instead of starting one (e.g.
                     postgresql://postgres@localhost:5432/crm_test)
    CRM_TEST_PG_BIN  directory holding initdb/pg_ctl/postgres
                     (default /usr/lib/postgresql/15/bin)
    CRM_TEST_PG_TMPDIR  where to create the cluster's temp dir (default: /dev/shm
                     when it is a writable tmpfs with >= 1 GiB free -- several
                     times faster than a disk -- else tempfile.gettempdir())
    CI               when set, a cluster that cannot start fails the tests
                     instead of skipping them
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "ClusterError",
    "PostgresNotInstalled",
    "ThrowawayCluster",
    "ExternalServer",
    "find_bin_dir",
    "pg_cluster",
]

PG_MAJOR = 15
DEFAULT_BIN_DIR = f"/usr/lib/postgresql/{PG_MAJOR}/bin"
ENV_URL = "CRM_TEST_PG_URL"
ENV_BIN = "CRM_TEST_PG_BIN"
ENV_TMPDIR = "CRM_TEST_PG_TMPDIR"
SHM_DIR = "/dev/shm"
SHM_MIN_FREE = 1 << 30
OWNER_FILE = "owner.pid"
DEFAULT_DBNAME = "crm_test"
SUPERUSER = "postgres"
TEMP_PREFIX = "crm-pg-"
ENSURE_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ensure-postgres"

# postgresql.conf additions for a disposable test server. Durability is off on
# purpose: the data dir is deleted at the end anyway.
TEST_SETTINGS: dict[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    # A quarter of the default, so that a transaction taking a lock per deal fails here with a few thousand
    # deals rather than only in a bureau's ledger (tests/ledger/test_totals_row_locks.py).
    "max_locks_per_transaction": "16",
    "shared_buffers": "128MB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "jit": "off",
}

_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LOG_TAIL_LINES = 40


class ClusterError(RuntimeError):
    """The throwaway server could not be set up, started or used."""


class PostgresNotInstalled(ClusterError):
    """No PostgreSQL server binaries were found."""


def find_bin_dir(bin_dir: str | os.PathLike[str] | None = None) -> Path:
    """Directory with initdb, pg_ctl and postgres; raise PostgresNotInstalled."""
    candidate = Path(bin_dir or os.environ.get(ENV_BIN) or DEFAULT_BIN_DIR)
    missing = [n for n in ("initdb", "pg_ctl", "postgres") if not os.access(candidate / n, os.X_OK)]
    if missing:
        raise PostgresNotInstalled(
            f"PostgreSQL {PG_MAJOR} server binaries not found in {candidate} "
            f"(missing: {', '.join(missing)}); run scripts/ensure-postgres "
            f"or set {ENV_BIN} / {ENV_URL}"
        )
    return candidate


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _temp_parent() -> str:
    """Directory to create the cluster dir in: RAM (/dev/shm) when roomy."""
    explicit = os.environ.get(ENV_TMPDIR)
    if explicit:
        return explicit
    try:
        st = os.statvfs(SHM_DIR)
        if st.f_bavail * st.f_frsize >= SHM_MIN_FREE and os.access(SHM_DIR, os.W_OK | os.X_OK):
            return SHM_DIR
    except OSError:
        pass
    return tempfile.gettempdir()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is dead for our purposes
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _utf8_c_locale() -> str | None:
    """Name of the C.UTF-8 locale if the system has it (glibc lists C.utf8)."""
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = {line.strip().lower().replace("-", "") for line in out.splitlines()}
    return "C.UTF-8" if "c.utf8" in names else None


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _check_dbname(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ValueError(f"database name must match {_NAME_RE.pattern}: {name!r}")
    return name


def _connect(url: str):
    import psycopg2  # project dependency (psycopg2-binary); imported lazily

    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    return conn


class _Server:
    """Shared database helpers; subclasses provide ``url_for``."""

    url: str
    bin_dir: Path | None = None
    _admin_dbname = "postgres"
    _counter = 0
    _counter_lock = threading.Lock()

    def url_for(self, dbname: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _unique_name(self) -> str:
        with _Server._counter_lock:
            _Server._counter += 1
            n = _Server._counter
        return f"{DEFAULT_DBNAME}_{os.getpid()}_{n}"

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """Create an empty database (unique name if none given) and return its URL.

        A copy of `template` is made file by file (STRATEGY FILE_COPY, PostgreSQL 15+): for the suite's small
        templates that is a third of the server's work of the default, which writes every page to the WAL.
        """
        from psycopg2 import sql

        name = _check_dbname(name or self._unique_name())
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(_check_dbname(template)))
            if self._admin_connection().server_version >= 150000:
                stmt += sql.SQL(" STRATEGY FILE_COPY")
        self._admin_execute(stmt)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its sessions (no error if absent)."""
        from psycopg2 import sql

        stmt = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_check_dbname(name)))
        self._admin_execute(stmt)

    def _admin_connection(self):
        """This process's connection to the admin database, opened on first use and kept.

        A test creates and drops a database or two: a new connection for each was a server process forked
        and torn down every time. Not shared across a fork (the pid is checked).
        """
        held = getattr(self, "_admin", None)
        if held is None or held[0] != os.getpid() or held[1].closed:
            held = (os.getpid(), _connect(self.url_for(self._admin_dbname)))
            self._admin = held
        return held[1]

    def _admin_execute(self, stmt) -> None:
        """Run one statement on the admin connection; once more on a new one if the server had cut it off
        (a test stopped and started the server)."""
        import psycopg2

        for attempt in (1, 2):
            conn = self._admin_connection()
            try:
                with conn.cursor() as cur:
                    cur.execute(stmt)
                return
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                if not conn.closed or attempt == 2:
                    raise

    def close_admin(self) -> None:
        """Close the kept admin connection (before the server stops). Idempotent."""
        held, self._admin = getattr(self, "_admin", None), None
        if held is not None and held[0] == os.getpid() and not held[1].closed:
            held[1].close()


class ExternalServer(_Server):
    """An already running server given by URL (``CRM_TEST_PG_URL``)."""

    def __init__(self, url: str):
        self.url = url
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise ClusterError(f"{ENV_URL} must be a postgresql:// URL, got {url!r}")
        self._parts = parts
        # Create new databases from the database named in the URL: it is known
        # to exist and be reachable, unlike "postgres" on some managed servers.
        self._admin_dbname = parts.path.lstrip("/") or "postgres"

    def url_for(self, dbname: str) -> str:
        return urlunsplit(self._parts._replace(path="/" + quote(dbname)))

    def __enter__(self) -> ExternalServer:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __repr__(self) -> str:
        return f"ExternalServer({self.url!r})"


class ThrowawayCluster(_Server):
    """initdb + start a private PostgreSQL server; stop and delete it on exit."""

    def __init__(
        self,
        dbname: str = DEFAULT_DBNAME,
        *,
        bin_dir: str | os.PathLike[str] | None = None,
        settings: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ):
        self.dbname = _check_dbname(dbname)
        self._bin_dir_arg = bin_dir
        self.bin_dir: Path | None = None
        self.settings = {**TEST_SETTINGS, **(settings or {})}
        self.start_timeout = start_timeout
        self.base_dir: Path | None = None
        self.data_dir: Path | None = None
        self.log_file: Path | None = None
        self.port: int | None = None
        self.url = ""
        self.startup_seconds: float | None = None
        self._running = False
        self._as_postgres = os.geteuid() == 0
        self._runuser = shutil.which("runuser") if self._as_postgres else None
        self._atexit_registered = False

    # -- process helpers -------------------------------------------------
    def _run(self, argv: list[str], *, check: bool = True, timeout: float = 120.0):
        """Run a server binary, as the postgres user when we are root."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        kwargs: dict = {}
        if self._as_postgres:
            if self._runuser:
                argv = [self._runuser, "-u", SUPERUSER, "--", *argv]
            else:  # no util-linux runuser: drop privileges in the child
                import pwd

                pw = pwd.getpwnam(SUPERUSER)
                kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
                env.update(HOME=pw.pw_dir, USER=SUPERUSER, LOGNAME=SUPERUSER)
        try:
            proc = subprocess.run(
                argv,
                cwd=self.base_dir or "/",
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                **kwargs,
            )
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(f"timed out after {timeout}s: {' '.join(argv)}") from exc
        if check and proc.returncode != 0:
            raise ClusterError(f"{' '.join(argv)} exited with {proc.returncode}\n{proc.stdout}{proc.stderr}".rstrip())
        return proc

    def _bin(self, name: str) -> str:
        assert self.bin_dir is not None
        return str(self.bin_dir / name)

    # -- lifecycle -------------------------------------------------------
    def start(self) -> ThrowawayCluster:
        if self._running:
            return self
        t0 = time.monotonic()
        try:
            self._setup()
        except BaseException:  # includes KeyboardInterrupt
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _setup(self) -> None:
        self.bin_dir = find_bin_dir(self._bin_dir_arg)
        if self._as_postgres:
            try:
                import pwd

                pw = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise ClusterError(f"running as root but there is no '{SUPERUSER}' OS user to run the server") from None
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True

        parent = _temp_parent()
        self._reap_stale(parent)
        self.base_dir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=parent))
        (self.base_dir / OWNER_FILE).write_text(f"{os.getpid()}\n")
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "server.log"
        if self._as_postgres:
            os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)

        locale = _utf8_c_locale()
        self._run(
            [
                self._bin("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                *([f"--locale={locale}"] if locale else ["--no-locale"]),
                "--no-sync",
                "--no-instructions",
            ]
        )

        settings = dict(self.settings)
        sock_dir = str(self.base_dir)
        # Unix socket paths are limited to ~107 bytes; with a very long TMPDIR
        # go TCP-only rather than fail.
        if len(sock_dir) + len("/.s.PGSQL.65535") < 100:
            settings["unix_socket_directories"] = "'" + sock_dir.replace("'", "''") + "'"
        else:
            settings["unix_socket_directories"] = "''"
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as fh:  # keeps the file's owner (postgres)
            fh.write("\n# --- throwaway test cluster (tests/pg_cluster.py) ---\n")
            fh.writelines(f"{k} = {v}\n" for k, v in settings.items())

        # The free port may be taken between probing and binding: retry.
        for attempt in range(5):
            self.port = _free_port()
            proc = self._run(
                [
                    self._bin("pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    f"-p {self.port}",
                    "-w",
                    "-t",
                    str(int(self.start_timeout)),
                ],
                check=False,
                timeout=self.start_timeout + 30,
            )
            if proc.returncode == 0:
                self._running = True
                break
            log = _tail(self.log_file)
            if "could not bind" in log or "already in use" in log:
                if attempt < 4:
                    continue
            raise ClusterError(
                f"PostgreSQL failed to start (pg_ctl exit {proc.returncode}, "
                f"port {self.port}, data {self.data_dir})\n"
                f"{(proc.stdout + proc.stderr).strip()}\n"
                f"--- tail of {self.log_file} ---\n{log}"
            )

        self.url = self.url_for(self.dbname)
        try:
            self.create_database(self.dbname)
        except Exception as exc:
            raise ClusterError(
                f"server started but creating database {self.dbname!r} failed: {exc}\n"
                f"--- tail of {self.log_file} ---\n{_tail(self.log_file)}"
            ) from exc

    def stop(self) -> None:
        """Stop the server and delete the temp dir. Idempotent; never raises."""
        try:
            self.close_admin()
        except Exception:  # noqa: BLE001 — stopping goes on whatever the connection's state
            pass
        # postmaster.pid also covers a start interrupted (Ctrl-C, timeout)
        # after the postmaster was forked but before pg_ctl reported success.
        if self.data_dir is not None and (self._running or (self.data_dir / "postmaster.pid").exists()):
            self._running = False
            try:
                proc = self._run(
                    [self._bin("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30"],
                    check=False,
                    timeout=60,
                )
                stopped = proc.returncode == 0
            except Exception:
                stopped = False
            if not stopped:
                self._kill_postmaster()
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
        if self._atexit_registered:
            atexit.unregister(self.stop)
            self._atexit_registered = False

    def _reap_stale(self, parent: str) -> None:
        """Remove clusters left by test runs that were SIGKILLed: a
        ``crm-pg-*`` dir whose owner process is gone and which belongs to us
        (or to postgres when we are root). Its server is stopped first."""
        try:
            candidates = list(Path(parent).glob(TEMP_PREFIX + "*"))
        except OSError:
            return
        my_uid = os.geteuid()
        for base in candidates:
            try:
                if base.stat().st_uid not in (my_uid, self._postgres_uid()):
                    continue
                owner = int((base / OWNER_FILE).read_text().strip())
            except (OSError, ValueError):
                continue
            if _pid_alive(owner):
                continue
            data = base / "data"
            if (data / "postmaster.pid").exists():
                self._run(
                    [self._bin("pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w", "-t", "10"],
                    check=False,
                    timeout=30,
                )
            shutil.rmtree(base, ignore_errors=True)

    def _postgres_uid(self) -> int:
        if not self._as_postgres:
            return os.geteuid()
        import pwd

        return pwd.getpwnam(SUPERUSER).pw_uid

    def _kill_postmaster(self) -> None:
        """Last resort when pg_ctl stop failed: SIGKILL the postmaster by pid,
        but only if that pid really is a postgres running on our data dir."""
        assert self.data_dir is not None
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if os.fsencode(str(self.data_dir)) in cmdline:
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def url_for(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{quote(dbname)}"

    def __enter__(self) -> ThrowawayCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"ThrowawayCluster({self.url or '-'}, {state}, dir={self.base_dir})"


# ---------------------------------------------------------------------------
# pytest plugin part
# ---------------------------------------------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _start_cluster_for_session() -> ThrowawayCluster:
    """Start the session cluster; in CI install missing binaries first."""
    try:
        find_bin_dir()
    except PostgresNotInstalled:
        if _in_ci() and ENSURE_SCRIPT.exists() and not os.environ.get(ENV_BIN):
            proc = subprocess.run([str(ENSURE_SCRIPT)], stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if proc.returncode != 0:
                raise PostgresNotInstalled(
                    f"{ENSURE_SCRIPT} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
                ) from None
        else:
            raise
    return ThrowawayCluster().start()


def _sigterm_as_interrupt():
    """Make SIGTERM (CI timeout, `kill`) unwind like Ctrl-C so the server is
    stopped by the fixture's finally instead of being orphaned. Only replaces
    the default handler, only in the main thread. Returns a restore function."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return lambda: None

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second TERM kills
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)

    def restore():
        if signal.getsignal(signal.SIGTERM) is handler:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return restore


class _SharedSession:
    """One server per process even if the fixture is registered more than once
    (plugin + explicit import create separate fixture definitions)."""

    server: _Server | None = None
    users = 0


try:
    import pytest
except ImportError:  # core usable without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(scope="session")
    def pg_cluster():
        """A running PostgreSQL 15 server for the whole test session.

        Yields an object with ``.url`` (database ``crm_test``),
        ``.create_database(name=None) -> url``, ``.drop_database(name)`` and
        ``.bin_dir``. Honours ``CRM_TEST_PG_URL``. Skips only outside CI and only
        when the server binaries are missing; every other failure errors.
        """
        shared = _SharedSession
        if shared.server is None:
            external = os.environ.get(ENV_URL)
            if external:
                shared.server = ExternalServer(external)
            else:
                try:
                    shared.server = _start_cluster_for_session()
                except PostgresNotInstalled as exc:
                    if _in_ci():
                        pytest.fail(f"CI requires PostgreSQL {PG_MAJOR}: {exc}", pytrace=False)
                    pytest.skip(str(exc))
                except ClusterError as exc:
                    pytest.fail(f"could not start the throwaway PostgreSQL server:\n{exc}", pytrace=False)
        shared.users += 1
        restore_sigterm = _sigterm_as_interrupt()
        try:
            yield shared.server
        finally:
            restore_sigterm()
            shared.users -= 1
            if shared.users == 0:
                server, shared.server = shared.server, None
                if isinstance(server, ThrowawayCluster):
                    server.stop()
