-- A fixed request (wrk's URL); only the report.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
