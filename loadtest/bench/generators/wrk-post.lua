-- The bench's wrk script: POST one fixed body (RS_BODY_FILE) and, at the end, one JSON line with
-- what bench/generators.ts reads (requests, errors, p95 in microseconds).
local f = assert(io.open(os.getenv("RS_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RS_WRK {"requests":%d,"errors":%d,"p95_us":%d}\n', summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(95)))
end
