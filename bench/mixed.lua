-- A rush as readers and signers make it: 20 petition-page views per signature.
-- Environment: BENCH_PAGE_PATH, BENCH_SIGN_PATH, and what sign.lua reads.
-- A 200 (page) or a 302 (signature accepted) is an expected answer.
--
-- wrk shares the machine's two cores with what it measures, so it does as little as
-- it can: the page's request is built once, and through the stack (BENCH_STATUS_FROM=
-- nginx) there is no response() hook either (get.lua says what that hook costs):
-- wrk counts any 2xx or 3xx, and bench/report.py checks in nginx's log that every
-- GET was answered 200 and every POST 302.
package.path = "bench/?.lua;" .. package.path
require "common"

local PAGES_PER_SIGNATURE = 20

function init(args)
  count_init()
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  sign_path = os.getenv("BENCH_SIGN_PATH")
  origin = os.getenv("BENCH_ORIGIN") or ""
  -- As browsers ask for it: the page travels gzipped.
  page = wrk.format("GET", os.getenv("BENCH_PAGE_PATH"), {["Accept-Encoding"] = "gzip, deflate, br"})
  n = 0
end

function request()
  n = n + 1
  if n % (PAGES_PER_SIGNATURE + 1) ~= 0 then return page end
  sent = sent + 1
  local body = "name=Bench+Signer+" .. sent .. "&email=m-" .. run .. "-" .. tid .. "-" .. sent
    .. "%40gmail.com&country=DE&updates=on"
  return wrk.format("POST", sign_path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin, ["Sec-Fetch-Site"] = "same-origin",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 256,
      math.floor(sent / 256) % 256, sent % 256),
  }, body)
end

if os.getenv("BENCH_STATUS_FROM") == "nginx" then
  counted_by_wrk = true -- read by done() in common.lua
else
  function response(status, headers, body)
    if status == 302 then count_response(302, 302) else count_response(status, 200) end
  end
end
