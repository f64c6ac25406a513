#!/bin/bash
# Runs the libFuzzer target of xenstored's parser and dispatcher for a
# short while (XK_FUZZ_SECONDS, default 15) from a small seed corpus of
# valid requests.  Skipped when clang/libFuzzer was not found.
. "$XK_TESTS_SRCDIR/lib.sh"

bin=$XK_TESTS_BUILDDIR/xenstore/fuzz-xs-wire
[ -x "$bin" ] || xk_skip_all "the fuzz target is not built (no clang with libFuzzer)"
command -v python3 >/dev/null || xk_skip_all "python3 is needed for the seed corpus"
xk_plan 2
xk_new_run_dir
corpus=$XK_RUN/corpus
mkdir -p "$corpus"

python3 - "$corpus" <<'EOF'
import os, struct, sys
out = sys.argv[1]
def msg(t, *args, tx=0, raw=None):
    body = b"".join(a.encode() + b"\0" for a in args) if raw is None else raw
    return struct.pack("<IIII", t, 1, tx, len(body)) + body
def chunk(conn, data, drain=False):
    return bytes([conn | (0x80 if drain else 0)]) + struct.pack("<H", len(data)) + data
READ, DIR, GETP, WATCH, UNWATCH, TS, TE, INTRO, REL, GDP, WRITE, MKDIR, RM, SETP = 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
seeds = {
    "write-read": [(0, msg(WRITE, raw=b"/a/b\0value") + msg(READ, "/a/b") + msg(DIR, "/a"))],
    "perms": [(0, msg(SETP, "/a", "n0", "r5") + msg(GETP, "/a")), (2, msg(READ, "/a"))],
    "txn": [(0, msg(TS, "")), (0, msg(WRITE, raw=b"/t\0x", tx=1) + msg(TE, "T", tx=1))],
    "watch": [(2, msg(WATCH, "x", "tok") + msg(WATCH, "@releaseDomain", "r", "1")),
              (0, msg(INTRO, "7", "1", "2") + msg(REL, "7")), (2, b"", True)],
    "domain": [(2, msg(WRITE, raw=b"x/y\0v") + msg(MKDIR, "x/z") + msg(RM, "x"))],
    "control": [(0, msg(0, "quota", "5") + msg(0, "memreport") + msg(0, "check"))],
    "part": [(0, msg(22, "/", "0") + msg(GDP, "3"))],
}
for name, parts in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        for p in parts:
            f.write(chunk(p[0], p[1], len(p) > 2 and p[2]))
EOF
xk_check "seed corpus written" test -s "$corpus/write-read"

secs=${XK_FUZZ_SECONDS:-15}
if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$XK_RUN/" "$corpus" >"$XK_RUN/fuzz.log" 2>&1; then
    xk_ok "fuzzed the parser and dispatcher for ${secs}s: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$XK_RUN/fuzz.log" | grep -o '[0-9]*$') inputs"
else
    xk_not_ok "the fuzzer found a crash (log follows)"
    tail -n 60 "$XK_RUN/fuzz.log" | sed 's/^/# /'
    XK_KEEP_RUN=1
fi
