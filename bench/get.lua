-- Scenario 6: GET $BENCH_PATH (stats/daily for a year, popular?window=week) with a viewer token.
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local token = os.getenv("BENCH_TOKEN") or ""
local path = os.getenv("BENCH_PATH") or "/health/ready"
local req

function init(args)
  local headers = { ["Authorization"] = "Bearer " .. token }
  -- scenario 6: a browser's dashboard asks for gzip
  local encoding = os.getenv("BENCH_ACCEPT_ENCODING")
  if encoding and encoding ~= "" then headers["Accept-Encoding"] = encoding end
  req = wrk.format("GET", path, headers)
end

function request()
  return req
end
