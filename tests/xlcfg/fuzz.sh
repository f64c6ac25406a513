#!/bin/bash
# Runs the libFuzzer target of the xl.cfg layer for a short while
# (XK_FUZZ_SECONDS, default 10) from the golden configurations and their
# JSON.  Skipped when clang/libFuzzer was not found.
. "$XK_TESTS_SRCDIR/lib.sh"

bin=$XK_TESTS_BUILDDIR/xlcfg/fuzz-xlcfg
[ -x "$bin" ] || xk_skip_all "the fuzz target is not built (no clang with libFuzzer)"
xk_plan 2
xk_new_run_dir
corpus=$XK_RUN/corpus
mkdir -p "$corpus"
cp "$XK_TESTS_SRCDIR"/xlcfg/pass/*.cfg "$XK_TESTS_SRCDIR"/xlcfg/pass/*.json \
   "$XK_TESTS_SRCDIR"/xlcfg/fail/*.cfg "$corpus"/
xk_check "seed corpus copied" test -s "$corpus/minimal-pvh.cfg"

secs=${XK_FUZZ_SECONDS:-10}
if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -dict="$XK_TESTS_SRCDIR/xlcfg/fuzz-xlcfg.dict" \
        -artifact_prefix="$XK_RUN/" "$corpus" >"$XK_RUN/fuzz.log" 2>&1; then
    xk_ok "fuzzed the xl.cfg parser, the specs and the JSON reader for ${secs}s: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$XK_RUN/fuzz.log" | grep -o '[0-9]*$') inputs"
else
    xk_not_ok "the fuzzer found a problem (log follows; the input is kept in $XK_RUN)"
    tail -n 60 "$XK_RUN/fuzz.log" | sed 's/^/# /'
    XK_KEEP_RUN=1
fi
