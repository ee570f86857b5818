"""CPU per request of one view, in one process, with no HTTP server and no load generator:

    python bench/inprocess.py chorus|bare sign|page|count [N]   (bare also: petition)

Calls the WSGI application directly N times (default 3000, after 300 unmeasured) and
prints the process's CPU time per request in µs. Steadier than requests/s on a shared
machine (only this process's CPU counts), so it is the quick figure to compare while
changing the hot path; bench/run gives the real throughput. Environment as bench/run:
DATABASE_URL of a seeded benchmark database, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS.
Profile a view with BENCH_PROFILE=1 (cProfile, top 30 by own time).
"""

import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def application(app: str):
    if app == "bare":
        sys.path.insert(0, str(ROOT / "bench"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "bare.settings"
        from bare.wsgi import application as wsgi
    else:
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "chorus.settings"
        from chorus.wsgi import application as wsgi
    return wsgi


def environ(method: str, path: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8600", "HTTP_HOST": "127.0.0.1:8600",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_ORIGIN": "http://127.0.0.1:8600", "HTTP_SEC_FETCH_SITE": "same-origin",
    }


def main() -> None:
    app, scenario = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    wsgi = application(app)
    run = f"{os.getpid()}-{time.time_ns()}"
    paths = {
        ("chorus", "sign"): "/petitions/empty/sign/", ("bare", "sign"): "/sign/",
        ("chorus", "page"): "/petitions/empty/", ("bare", "page"): "/page/",
        ("bare", "petition"): "/petition/",
        ("chorus", "count"): "/petitions/empty/count.json", ("bare", "count"): "/count.json",
    }
    path = paths[app, scenario]
    expected = "302" if scenario == "sign" else "200"

    def call(i: int) -> None:
        if scenario == "sign":
            body = urlencode({"name": "Bench Signer", "email": f"in-{run}-{i}@example.org",
                              "country": "DE", "updates": "on"}).encode()
            env = environ("POST", path, body)
        else:
            env = environ("GET", path)
        status = []
        chunks = wsgi(env, lambda s, h, *a: status.append(s))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not status[0].startswith(expected):
            raise SystemExit(f"{path} answered {status[0]}")

    for i in range(300):
        call(-i - 1)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.enable()
        for i in range(n):
            call(i)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "30")))
        return
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        call(i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{app:6} {scenario:5} {cpu / n * 1e6:7.0f} µs CPU/request  "
          f"({wall / n * 1e6:.0f} µs wall, {n} requests)")


if __name__ == "__main__":
    main()
