-- GET /api/items/{id} for random ids in 1..BENCH_IDS.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local ids = tonumber(os.getenv("BENCH_IDS") or "100000")

function init(args)
  seed()
end

function request()
  return wrk.format("GET", "/api/items/" .. math.random(1, ids))
end
