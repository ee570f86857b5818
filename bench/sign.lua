-- POST a signature with a distinct address per request; count 302s.
local counter = 0
local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("tid", started)  -- a global in that thread's own Lua state
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  other = 0
  sent = 0
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  sent = counter
  local body = "name=Bench+Signer&country=DE&updates=on&email=b" .. run .. "-" .. tid
    .. "-" .. counter .. "%40example.org"
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 302 then accepted = accepted + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local a, o, s = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    o = o + thread:get("other")
    s = s + thread:get("sent")
  end
  -- wrk stops without reading the answers still in flight: SENT >= answered.
  io.write(string.format("ACCEPTED %d OTHER %d SENT %d\n", a, o, s))
end
