-- Scenario 1: PUT /api/v1/analytics/sessions/:id heartbeats, round-robin over $BENCH_SESSIONS open sessions
-- whose ids BenchRunner started (Ids.session: "<group>-0000-4000-8000-<index as 12 hex digits>").
-- The same script drives the bare route and the service, so both see byte-identical requests.
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local sessions = tonumber(os.getenv("BENCH_SESSIONS") or "1000")
local group = os.getenv("BENCH_GROUP") or "00000001"
local token = os.getenv("BENCH_TOKEN") or ""
local body = '{"status":"playing","position_seconds":120.5,"bandwidth_kbps":8000}'
local threads = 0
local requests = {}
local i = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  -- every request is built once: the Lua side costs the same for the bare route and the service
  for k = 0, sessions - 1 do
    local path = string.format("/api/v1/analytics/sessions/%s-0000-4000-8000-%012x", group, k)
    requests[k] = wrk.format("PUT", path, headers, body)
  end
  i = (offset or 0) * math.floor(sessions / 2)
end

function request()
  i = (i + 1) % sessions
  return requests[i]
end
