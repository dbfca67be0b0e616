-- POST the same JSON body on every request. Env: BODY_FILE (the body), RATE_PER_CONN (optional:
-- requests per second per connection, as exponential think times between requests, for the
-- "half the peak rate" run; wrk otherwise sends back to back). Prints one JSON line at the end.
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()

local rate = tonumber(os.getenv("RATE_PER_CONN") or "0")
local seeded = false
function delay()
  if rate <= 0 then return 0 end
  if not seeded then math.randomseed(os.time() + math.floor(os.clock() * 1e6)); seeded = true end
  -- exponential gaps: arrivals per connection approximate a Poisson process
  return math.floor(-math.log(1 - math.random()) / rate * 1000)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
