"""Send an exact number of distinct signatures concurrently and check that the
database gained exactly one row per accepted (302) answer."""

import http.client
import sys
import time
from concurrent.futures import ThreadPoolExecutor

port, slug, total = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
run = f"exact{int(time.time())}"


def sign(n: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f"name=Exact+Signer&country=FR&email={run}-{n}%40example.org"
    connection.request("POST", f"/petitions/{slug}/sign/", body,
                       {"Content-Type": "application/x-www-form-urlencoded"})
    status = connection.getresponse().status
    connection.close()
    return status


with ThreadPoolExecutor(max_workers=16) as pool:
    statuses = list(pool.map(sign, range(total)))
print(f"ACCEPTED {statuses.count(302)} OTHER {len(statuses) - statuses.count(302)}")
