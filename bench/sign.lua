-- POST /petitions/<slug>/sign/ with a distinct address per request.
-- Environment: BENCH_RUN (unique per wrk run, so addresses never repeat),
-- BENCH_ORIGIN (sent as Origin, with Sec-Fetch-Site: same-origin, as a browser
-- form does), BENCH_CSRF_COOKIE / BENCH_CSRF_TOKEN (sent if the page set them).
-- Each request comes from its own address (X-Forwarded-For, which the server
-- believes from 127.0.0.1 as from a reverse proxy) at a big provider, as in a
-- real rush: the per-IP and per-domain limits are checked but not reached.
package.path = "bench/?.lua;" .. package.path
require "common"

function init(args)
  count_init()
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  local token = os.getenv("BENCH_CSRF_TOKEN") or ""
  local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
  local origin = os.getenv("BENCH_ORIGIN") or ""
  suffix = "&country=DE&updates=on"
  if token ~= "" then suffix = suffix .. "&csrfmiddlewaretoken=" .. token end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if cookie ~= "" then wrk.headers["Cookie"] = "csrftoken=" .. cookie end
  if origin ~= "" then
    wrk.headers["Origin"] = origin
    wrk.headers["Sec-Fetch-Site"] = "same-origin"
  end
end

function request()
  sent = sent + 1
  local body = "name=Bench+Signer+" .. sent .. "&email=b-" .. run .. "-" .. tid .. "-" .. sent
    .. "%40gmail.com" .. suffix
  wrk.headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", tid % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  count_response(status, 302) -- 302 to the thanks page: an accepted signature
end
