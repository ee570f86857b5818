"""The production-shaped stack (`make stack`, tools/stack): nginx in front of two app
nodes, PgBouncer in transaction mode, PostgreSQL; each node with its worker and its
periodic process. Everything here goes through the real servers over HTTP.

PostgreSQL only (the stack runs on it); the stack installs nginx and PgBouncer with
apt-get when it can, and these tests are skipped where it cannot.
"""

import gzip
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
STACK_DIR = ROOT / "var" / "stack-test"
PORT, NODE_PORTS, PGBOUNCER_PORT = 18080, (18101, 18102), 16440
DATABASE = "chorus_stack_test"
BASE = f"http://127.0.0.1:{PORT}"
SIGNABLE, TO_CLOSE = "keep-the-helpline-open", "stop-the-liquidation"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the stack runs on PostgreSQL"),
    pytest.mark.skipif(
        not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and os.getuid() != 0,
        reason="needs nginx and PgBouncer (installed with apt-get as root)",
    ),
]

STACK_ENV = {
    "STACK_DIR": str(STACK_DIR), "STACK_PORT": str(PORT),
    "STACK_NODE_PORTS": ",".join(map(str, NODE_PORTS)),
    "STACK_PGBOUNCER_PORT": str(PGBOUNCER_PORT), "STACK_DATABASE": DATABASE,
    # The load and kill test sends many posts from one address.
    "STACK_POST_RATE": "1000r/s", "STACK_POST_BURST": "1000",
    "CHORUS_COUNT_INTERVAL": "0.5", "CHORUS_PERIODIC_LEASE_SECONDS": "10",
}


def stack(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return subprocess.run([sys.executable, str(ROOT / "tools" / "stack"), *argv],  # noqa: S603
                          cwd=ROOT,
                          env={**env, **STACK_ENV}, capture_output=True, text=True,
                          check=check, timeout=600)


def pg(database: str = "postgres"):
    params = settings.DATABASES["default"]
    return psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
                           user=params["USER"] or "postgres", dbname=database, autocommit=True)


def drop_database() -> None:
    with pg() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "test_{DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="module")
def running_stack():
    stack("stop", check=False)
    shutil.rmtree(STACK_DIR, ignore_errors=True)
    drop_database()
    started = stack("start", check=False)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield
    finally:
        stack("stop", check=False)
        drop_database()


class Browser:
    """One visitor: its own cookies, redirects not followed (their status is the answer)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str = BASE):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={  # noqa: S310
            **({"Origin": self.base, "Sec-Fetch-Site": "same-origin"} if body else {}),
            **(headers or {}),
        })
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf(self, path: str) -> str:
        _status, _headers, page = self.request(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, email: str, password: str = "chorus-demo") -> None:  # noqa: S107 - the demo's
        token = self.csrf("/accounts/login/")
        status, headers, _ = self.request("/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": email, "password": password,
        })
        assert status == 302, status


def node(port: int) -> Browser:
    return Browser(f"http://127.0.0.1:{port}")


def count_on(port: int, slug: str) -> int:
    status, _headers, body = node(port).request(f"/petitions/{slug}/count.json")
    assert status == 200
    return json.loads(body)["signature_count"]


def sign(browser: Browser, slug: str, email: str, path: str = "") -> int:
    status, _headers, _body = browser.request(path or f"/petitions/{slug}/sign/", {
        "name": "Stack Signer", "email": email, "country": "DE",
    })
    return status


def mail_to(address: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted((STACK_DIR / "mail").glob("*.log")):
            text = path.read_text(errors="replace")
            if address in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} in {seconds} s")


def until(predicate, seconds: float) -> float:
    """Seconds it took for predicate() to hold; fails after `seconds`."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_sign_and_confirm_through_nginx_and_see_the_count_on_both_nodes(running_stack):
    before = [count_on(port, SIGNABLE) for port in NODE_PORTS]
    signer = Browser()
    assert sign(signer, SIGNABLE, "stack.signer@example.org") == 302
    message = mail_to("stack.signer@example.org")
    token = re.search(r"/confirm/([^/\s]+)/", message).group(1)
    status, _headers, page = signer.request(f"/confirm/{token}/")
    assert status == 200
    status, _headers, page = signer.request(f"/confirm/{token}/", {})
    assert status == 200
    # Counted by whichever node's periodic process holds the lease; read on each node.
    until(lambda: all(count_on(port, SIGNABLE) == before[0] + 1 for port in NODE_PORTS), 15)


def test_one_periodic_process_works_and_the_other_waits(running_stack):
    logs = [(STACK_DIR / f"node-{name}-periodic.log").read_text() for name in "ab"]
    assert any("another runperiodic holds the lease" in log for log in logs), logs
    with pg(DATABASE) as conn:
        holders = conn.execute("SELECT holder FROM periodic_lease").fetchall()
    assert len(holders) == 1
    # host:pid:nonce, the pid one of the two periodic processes
    pid = int(holders[0][0].split(":")[1])
    assert "runperiodic" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")


def test_a_petition_closed_on_one_node_refuses_signatures_on_the_other_within_the_bound(
    running_stack,
):
    organiser, signer = node(NODE_PORTS[0]), node(NODE_PORTS[1])
    assert sign(signer, TO_CLOSE, "before.close@example.org") == 302  # also warms B's cache
    organiser.log_in("organiser@example.org")
    token = organiser.csrf(f"/organiser/petitions/{TO_CLOSE}/close/")
    status, _headers, _ = organiser.request(f"/organiser/petitions/{TO_CLOSE}/close/", {
        "csrfmiddlewaretoken": token, "confirm": "on",
    })
    assert status == 302
    closed_at = time.monotonic()
    statuses = []

    def refused():
        statuses.append(sign(signer, TO_CLOSE, f"after.close.{len(statuses)}@example.org"))
        return statuses[-1] == 409

    until(refused, 10)
    bound = settings.CHORUS_COUNT_CACHE_SECONDS + 1
    assert time.monotonic() - closed_at <= bound, (time.monotonic() - closed_at, statuses)


def test_a_pause_on_one_node_refuses_signatures_on_the_other_within_the_bound_and_a_resume_too(
    running_stack,
):
    organiser, signer = node(NODE_PORTS[0]), node(NODE_PORTS[1])
    assert sign(signer, SIGNABLE, "before.pause@example.org") == 302  # also warms B's cache
    organiser.log_in("organiser@example.org")
    bound = settings.CHORUS_COUNT_CACHE_SECONDS + 1
    for action, expected in (("pause", 409), ("resume", 302)):
        path = f"/organiser/petitions/{SIGNABLE}/{action}/"
        token = organiser.csrf(path)
        status, _headers, _ = organiser.request(path, {"csrfmiddlewaretoken": token})
        assert status == 302
        changed_at = time.monotonic()
        statuses = []

        def answered(expected=expected, action=action, statuses=statuses):
            statuses.append(sign(signer, SIGNABLE, f"after.{action}.{len(statuses)}@example.org"))
            return statuses[-1] == expected

        until(answered, 10)
        assert time.monotonic() - changed_at <= bound, (time.monotonic() - changed_at, statuses)


def test_personal_pages_are_never_served_from_the_cache_to_another_visitor(running_stack):
    organiser = Browser()
    organiser.log_in("organiser@example.org")
    for _ in range(3):
        status, _headers, page = organiser.request("/organiser/")
        assert status == 200 and "Log out" in page
    stranger = Browser()
    status, headers, page = stranger.request("/organiser/")
    assert status == 302 and "Log out" not in page
    assert headers.get("X-Cache") != "HIT"

    signer = Browser()
    assert sign(signer, SIGNABLE, "private.thanks@example.org") == 302
    status, headers, thanks = signer.request(f"/petitions/{SIGNABLE}/thanks/")
    assert status == 200 and "no-store" in headers.get("Cache-Control", "")
    for _ in range(2):
        status, headers, _ = Browser().request(f"/petitions/{SIGNABLE}/thanks/")
        assert headers.get("X-Cache") != "HIT"


def test_public_pages_and_counts_are_served_from_the_micro_cache(running_stack):
    reader = Browser()
    for path in (f"/petitions/{SIGNABLE}/", f"/petitions/{SIGNABLE}/count.json"):
        seen = [reader.request(path)[1].get("X-Cache") for _ in range(5)]
        assert "HIT" in seen, (path, seen)
    # A reader who chose Russian (a cookie) never gets the cached English page.
    russian = Browser()
    russian.cookies.set_cookie(http.cookiejar.Cookie(
        0, "django_language", "ru", None, False, "127.0.0.1", False, False, "/", True,
        False, None, True, None, None, {},
    ))
    status, headers, page = russian.request(f"/petitions/{SIGNABLE}/")
    assert status == 200 and 'lang="ru"' in page and headers.get("X-Cache") != "HIT"
    status, _headers, page = Browser().request(f"/petitions/{SIGNABLE}/",
                                               headers={"Accept-Language": "ru"})
    assert 'lang="ru"' in page
    assert 'lang="en"' in Browser().request(f"/petitions/{SIGNABLE}/")[2]


def test_sessions_and_login_throttling_are_shared_by_the_nodes(running_stack):
    """Both live in the database: a login on node A holds on node B, and failures
    spread over both nodes lock the account on both."""
    organiser = node(NODE_PORTS[0])
    organiser.log_in("organiser@example.org")
    organiser.base = f"http://127.0.0.1:{NODE_PORTS[1]}"  # cookies are not per port
    status, _headers, page = organiser.request("/organiser/")
    assert status == 200 and "Log out" in page

    def attempt(port: int, password: str) -> int:
        browser = node(port)
        token = browser.csrf("/accounts/login/")
        return browser.request("/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": "moderator@example.org",
            "password": password,
        })[0]

    failures = settings.CHORUS_LOGIN_MAX_FAILURES
    for number in range(failures):
        assert attempt(NODE_PORTS[number % 2], "not the password") == 200
    for port in NODE_PORTS:
        assert attempt(port, "chorus-demo") == 200  # locked: the form again, not a redirect


def test_the_concurrency_tests_pass_through_pgbouncer(running_stack):
    """The races of test_concurrency.py, with every connection through PgBouncer in
    transaction mode (DATABASE_TRANSACTION_POOLER=1), as the app nodes run."""
    env = {**os.environ, "DATABASE_TRANSACTION_POOLER": "1",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DATABASE}"}
    # --reuse-db: PgBouncer keeps server connections to the test database, which
    # would make Django's DROP DATABASE at the end fail; the fixture drops it.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db",
         "--reuse-db", "chorus/signatures/tests/test_concurrency.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-500:]


def test_a_node_answers_a_new_connection_behind_a_full_pool_of_idle_ones(running_stack):
    # nginx keeps up to `keepalive` idle connections to the nodes per worker process. granian's
    # --backpressure counts connections, not requests: with 32, a node that held 32 idle ones
    # left every new connection waiting in the kernel's queue (signatures answered after
    # 5–20 s under load). More idle connections than two nginx workers keep, then a new one:
    idle = []
    try:
        for _ in range(2 * 32 + 16):
            connection = http.client.HTTPConnection("127.0.0.1", NODE_PORTS[0], timeout=5)
            connection.request("GET", f"/petitions/{SIGNABLE}/count.json")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            idle.append(connection)
        started = time.monotonic()
        assert sign(node(NODE_PORTS[0]), SIGNABLE, "behind.the.pool@example.org") == 302
        assert time.monotonic() - started < 5
    finally:
        for connection in idle:
            connection.close()


# Last: node B stays down afterwards.
def test_killing_a_whole_node_under_load_fails_no_request(running_stack):
    failures, answered = [], []
    stop = threading.Event()

    def reader(number: int):
        browser = Browser()
        while not stop.is_set():
            path = f"/petitions/{SIGNABLE}/" if number % 2 else f"/petitions/{SIGNABLE}/count.json"
            try:
                status, _h, _b = browser.request(path)
            except OSError as error:
                failures.append(repr(error))
                continue
            (answered if status == 200 else failures).append(status)

    def signer(number: int):
        browser, sent = Browser(), 0
        while not stop.is_set():
            sent += 1
            try:
                status = sign(browser, SIGNABLE, f"load.{number}.{sent}@example.org")
            except OSError as error:
                failures.append(repr(error))
                continue
            (answered if status == 302 else failures).append(status)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=signer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    pgid = int((STACK_DIR / "pids" / "node-b.pid").read_text())
    os.killpg(pgid, signal.SIGKILL)
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(answered) > 50
    assert failures == []
    # Still served, by node A alone.
    assert Browser().request(f"/petitions/{SIGNABLE}/")[0] == 200


def test_a_browser_that_takes_gzip_gets_the_cached_page_compressed_and_others_plain(
    running_stack
):
    def fetch(headers: dict):
        request = urllib.request.Request(f"{BASE}/petitions/{SIGNABLE}/", headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.headers, response.read()

    for _ in range(3):
        compressed_headers, compressed = fetch({"Accept-Encoding": "gzip, deflate, br"})
    plain_headers, plain = fetch({})

    assert compressed_headers["Content-Encoding"] == "gzip"
    assert compressed_headers["X-Cache"] == "HIT"
    assert gzip.decompress(compressed).startswith(b"<!doctype html>")
    # The compressed copy in the cache is never what a client that did not ask gets.
    assert "Content-Encoding" not in plain_headers
    assert plain.startswith(b"<!doctype html>")
    assert len(compressed) < len(plain) / 3
