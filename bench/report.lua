-- Count answers by kind for GET scenarios.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; other = 0 end
function response(status, headers, body)
  if status == 200 or status == 304 then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, o = 0, 0
  for _, thread in ipairs(threads) do a = a + thread:get("ok"); o = o + thread:get("other") end
  io.write(string.format("OK %d OTHER %d\n", a, o))
end
