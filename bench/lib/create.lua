-- POST /api/items with a small valid body.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"bench item","description":"written by bench/run"}'
