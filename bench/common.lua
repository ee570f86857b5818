-- Shared by sign.lua and get.lua: per-thread status counters, and one
-- machine-readable RESULT line printed by done() for bench/report.py.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id) -- a global in that thread's own Lua state
  table.insert(threads, thread)
end

function count_init()
  sent, expected, s2xx, s3xx, s4xx, s5xx, last_bad = 0, 0, 0, 0, 0, 0, 0
end

function count_response(status, want)
  if status == want then expected = expected + 1 end
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
  if status ~= want then last_bad = status end
end

function done(summary, latency, requests)
  local t = {sent = 0, expected = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
  local last_bad = 0
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
    if (thread:get("last_bad") or 0) ~= 0 then last_bad = thread:get("last_bad") end
  end
  local e = summary.errors
  if counted_by_wrk then
    -- No response() hook (get.lua): wrk's own count, every answer 2xx or 3xx unless
    -- it says otherwise (which class it does not say: counted here as 5xx).
    t.sent = summary.requests
    t.expected = summary.requests - e.status
    t.s2xx, t.s5xx = t.expected, e.status
  end
  -- wrk stops without reading the answers still in flight: sent >= answered.
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
    .. "mean_us=%.0f sent=%d expected=%d s2xx=%d s3xx=%d s4xx=%d s5xx=%d last_bad=%d "
    .. "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, t.sent, t.expected, t.s2xx, t.s3xx, t.s4xx, t.s5xx, last_bad,
    e.connect, e.read, e.write, e.timeout, e.status))
end
