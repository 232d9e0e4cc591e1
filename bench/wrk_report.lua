-- Shared by every wrk script of the harness: done() writes wrk's figures as JSON to $WRK_OUT,
-- which BenchRunner reads (latencies in microseconds).
function done(summary, latency, requests)
  local path = os.getenv("WRK_OUT")
  if path == nil then return end
  local f = assert(io.open(path, "w"))
  local e = summary.errors
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
  f:close()
end
