-- GET /api/items?q=WORD: one of the 1,000 words bench/run spread over the rows (each matches ~0.1%).
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local letters = { "b", "c", "d", "f", "g", "h", "j", "k", "l", "m" }

function init(args)
  seed()
end

-- Must match the word expression in bench/run's bulk load.
local function word(n)
  local s = string.format("%03d", n)
  return "zq" .. s:gsub("%d", function(d) return letters[tonumber(d) + 1] end)
end

function request()
  return wrk.format("GET", "/api/items?q=" .. word(math.random(0, 999)))
end
