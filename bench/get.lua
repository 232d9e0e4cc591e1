-- Scenario 6: GET $BENCH_PATH (stats/daily for a year, popular?window=week) with a viewer token.
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local token = os.getenv("BENCH_TOKEN") or ""
local path = os.getenv("BENCH_PATH") or "/health/ready"
local req

function init(args)
  req = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function request()
  return req
end
