"""Send an exact number of distinct signatures from 16 threads and print how
many were accepted (302), so bench/run can require one new row per 302.

Usage: python bench/exact.py PORT SLUG COUNT
Environment: BENCH_ORIGIN, BENCH_CSRF_COOKIE, BENCH_CSRF_TOKEN as for sign.lua.
"""

import http.client
import os
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

port, slug, total = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
run = f"exact{time.time_ns()}"
headers = {"Content-Type": "application/x-www-form-urlencoded"}
if origin := os.environ.get("BENCH_ORIGIN"):
    headers |= {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
if cookie := os.environ.get("BENCH_CSRF_COOKIE"):
    headers["Cookie"] = f"csrftoken={cookie}"
token = os.environ.get("BENCH_CSRF_TOKEN")


def sign(n: int) -> int:
    # As sign.lua: each signer from an address of its own, at a big provider, so that the
    # per-address and per-domain limits are checked but not reached (held signatures would
    # make the report say so).
    fields = {"name": "Exact Signer", "email": f"{run}-{n}@gmail.com", "country": "FR"}
    if token:
        fields["csrfmiddlewaretoken"] = token
    forwarded = {"X-Forwarded-For": f"10.{200 + n // 65536 % 50}.{n // 256 % 256}.{n % 256}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", f"/petitions/{slug}/sign/", urlencode(fields),
                           headers | forwarded)
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


with ThreadPoolExecutor(max_workers=16) as pool:
    statuses = Counter(pool.map(sign, range(total)))
other = " ".join(f"{status}x{n}" for status, n in sorted(statuses.items()) if status != 302)
print(f"ACCEPTED {statuses[302]} OTHER {total - statuses[302]} {other}".rstrip())
