#!/bin/bash
# Runs the libFuzzer target of a guest's ring page (xsd_ring_io.c and the
# core behind it) for a short while (XK_FUZZ_SECONDS, default 10) from a
# small seed corpus.  Skipped when clang/libFuzzer was not found.
. "$XK_TESTS_SRCDIR/lib.sh"

bin=$XK_TESTS_BUILDDIR/xenstore/fuzz-xs-ring
[ -x "$bin" ] || xk_skip_all "the fuzz target is not built (no clang with libFuzzer)"
command -v python3 >/dev/null || xk_skip_all "python3 is needed for the seed corpus"
xk_plan 2
xk_new_run_dir
corpus=$XK_RUN/corpus
mkdir -p "$corpus"

python3 - "$corpus" <<'PY'
import os, struct, sys
out = sys.argv[1]
def page(req_cons=0, req_prod=0, rsp_cons=0, rsp_prod=0, conn=0, err=0):
    return bytes(2048) + struct.pack("<IIIIIII", req_cons, req_prod, rsp_cons, rsp_prod,
                                     0, conn, err)
def msg(t, *args, raw=None):
    body = b"".join(a.encode() + b"\0" for a in args) if raw is None else raw
    return struct.pack("<IIII", t, 1, 0, len(body)) + body
def put(b):
    return bytes([2, len(b)]) + b
def service(budget=255):
    return bytes([0, budget])
def consume(n):
    return bytes([1]) + struct.pack("<H", n)
def setf(f, v):
    return bytes([3, f]) + struct.pack("<I", v)
READ, WRITE, WATCH, GDP, TS, TE = 2, 11, 4, 10, 6, 7
w = 0xfffffff0
seeds = {
    "requests": page() + put(msg(WRITE, raw=b"x\0v") + msg(READ, "x") + msg(GDP, "5"))
                + service() + consume(200) + service(),
    "wrap": page(w, w, w, w) + put(msg(READ, "big") + msg(WATCH, "x", "t")) + service()
            + consume(40) + service() + consume(60) + service(),
    "txn": page() + put(msg(TS, "")) + service() + consume(30) + put(msg(TE, "F")) + service(),
    "bad": page(0, 2000) + service(),
    "reconnect": page() + put(msg(WATCH, "x", "t")) + service() + setf(4, 1) + service()
                 + put(msg(READ, "x")) + service(),
    "flood": page() + b"".join(put(msg(READ, "big")) for _ in range(20)) + service()
             + consume(500) + service() + consume(1000) + service(),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
PY
xk_check "seed corpus written" test -s "$corpus/requests"

secs=${XK_FUZZ_SECONDS:-10}
if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$XK_RUN/" "$corpus" >"$XK_RUN/fuzz.log" 2>&1; then
    xk_ok "fuzzed a hostile ring page for ${secs}s: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$XK_RUN/fuzz.log" | grep -o '[0-9]*$') inputs"
else
    xk_not_ok "the fuzzer found a crash (log follows)"
    tail -n 60 "$XK_RUN/fuzz.log" | sed 's/^/# /'
    XK_KEEP_RUN=1
fi
