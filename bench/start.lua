-- Scenario 2: POST /api/v1/analytics/sessions, a new session of a new user each time (no id: the service
-- picks one), so every request is one durable INSERT and no sharing rule fires.
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local token = os.getenv("BENCH_TOKEN") or ""
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
local n = 0

local function uuid()
  return string.format("%08x-%04x-4%03x-a%03x-%04x%08x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff), math.random(0, 0xfff),
    math.random(0, 0xffff), math.random(0, 0x7fffffff))
end

function setup(thread)
  thread:set("seed", math.random(1, 1000000000))
end

function init(args)
  math.randomseed((seed or 1) + os.time())
end

function request()
  n = n + 1
  local content = math.random(0, 4999)
  local body = string.format(
    '{"user_id":"%s","content_type":"movie","content_id":"00000000-0000-4000-c000-%012x",' ..
    '"content_title":"Bench Movie %d","client_name":"Bench Client","device_name":"Bench Device %d",' ..
    '"device_id":"bench-start-%d","ip_address":"203.0.113.7","bandwidth_kbps":8000,"resolution":"1080p"}',
    uuid(), content, content, n, n)
  return wrk.format("POST", "/api/v1/analytics/sessions", headers, body)
end
