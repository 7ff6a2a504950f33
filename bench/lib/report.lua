-- Shared by every wrk script (loaded with dofile). Every request carries the session of
-- BENCH_COOKIE and the CSRF header of BENCH_CSRF (bench/run signs in; everything under /api
-- wants a session). And one machine-readable line per run, which bench/run parses.
if os.getenv("BENCH_COOKIE") then
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  wrk.headers["X-XSRF-TOKEN"] = os.getenv("BENCH_CSRF")
end
-- Latencies in milliseconds; errors count socket errors and HTTP >= 400.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50=%.2f p95=%.2f p99=%.2f max=%.2f requests=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end

-- Each wrk thread has its own Lua state: seed each one differently.
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function seed()
  math.randomseed(os.time() * 100 + (thread_number or 0))
end
