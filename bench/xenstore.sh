#!/bin/bash
# bench/run xenstore: XenStore figures, each beside a floor measured in
# this run.
#
# Placement: xenstored is pinned to CPU 0 and the clients to CPU 1 (the
# last CPU), and the floor -- a bare 64-byte round trip on a Unix
# socketpair between two processes -- is measured with the same
# placement, so that the ratio compares like with like (a cross-CPU
# wake-up costs 50-100 us on the development machines).  The same pair
# of figures is also given with everything on one CPU.
#
#   xenstore.read_rtt_us, xenstore.read_ratio (x the floor; goal <= 1.5)
#   xenstore.read_ops_s_1, xenstore.read_ops_s_8 (+ write_, directory_);
#     floor_ops_s_1 is back-to-back bare round trips per second
#   xenstore.tx_commits_s      start, 5 writes, end
#   xenstore.watch_latency_us  write sent -> event received by a watcher
#   xenstore.tree_100k_mib     xenstored's RSS growth for 100k nodes (goal <= 64)
# Environment: XK_BENCH_ITERS (round trips, default 20000),
# XK_BENCH_SECONDS (throughput runs, default 2).
set -u
. "$XK_TESTS_SRCDIR/lib.sh"
trap - INT TERM
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

BENCH="$XK_BENCH_BUILDDIR/xenstore/xs-bench"
[ -x "$BENCH" ] || { echo "bench: $BENCH is not built (make -C build)" >&2; exit 1; }
iters=${XK_BENCH_ITERS:-20000}
secs=${XK_BENCH_SECONDS:-2}
ncpu=$(nproc)
dcpu=0
ccpu=$((ncpu - 1))

xk_new_run_dir
start() {   # start CPU [OPTION...]
    local cpu=$1; shift
    export XENSTORED_PATH="$XK_RUN/socket"
    taskset -c "$cpu" "$XS_DAEMON" --foreground --run-dir "$XK_RUN" --no-restore \
        --log-file "$XK_RUN/xenstored.log" --log-level warn "$@" &
    XS_PID=$!
    xk_at_exit "kill -9 $XS_PID 2>/dev/null"
    xk_wait_for 20 xs_ready || { echo "bench: xenstored did not start" >&2; exit 1; }
}
stop() {
    kill -TERM "$XS_PID"; wait "$XS_PID" 2>/dev/null; XS_PID=
    rm -f "$XK_RUN/xenstored.state"
}
val() { awk -v k="$1" '$1 == k { print $2 }'; }
out() { printf 'xenstore.%s %s %s\n' "$1" "$2" "$3"; }

# Round trips, cross-CPU (the main figures) and same-CPU.
start "$dcpu"
"$BENCH" floor "$iters" "$dcpu" "$ccpu" >"$XK_RUN/floor"
floor=$(val floor_rtt_us <"$XK_RUN/floor")
floor_ops=$(val floor_ops_s_1 <"$XK_RUN/floor")
read=$("$BENCH" read "$iters" "$ccpu" | val read_rtt_us)
floor1=$("$BENCH" floor "$iters" "$dcpu" "$dcpu" | val floor_rtt_us)
read1=$("$BENCH" read "$iters" "$dcpu" | val read_rtt_us)
out read_rtt_us "$read" us
out floor_rtt_us "$floor" us
out read_ratio "$(awk -v a="$read" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')" x
out read_rtt_same_cpu_us "$read1" us
out floor_rtt_same_cpu_us "$floor1" us
out read_ratio_same_cpu "$(awk -v a="$read1" -v b="$floor1" 'BEGIN { printf "%.2f", a / b }')" x

# Throughput: 1 and 8 clients on the clients' CPU.
for op in read write directory; do
    for n in 1 8; do
        v=$("$BENCH" ops "$op" "$n" "$secs" "$ccpu" | val "${op}_ops_s_$n")
        out "${op}_ops_s_$n" "$v" ops/s
    done
done
out floor_ops_s_1 "$floor_ops" ops/s

out tx_commits_s "$("$BENCH" txn "$secs" "$ccpu" | val tx_commits_s)" commits/s
out watch_latency_us "$("$BENCH" watch 2000 "$ccpu" | val watch_latency_us)" us
out floor_oneway_us "$(awk -v f="$floor" 'BEGIN { printf "%.2f", f / 2 }')" us
stop

# Memory of a 100k-node tree: xenstored's RSS before and after.
start "$dcpu"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$XS_PID/status"; }
before=$(rss)
"$BENCH" tree 100000 || { echo "bench: tree failed" >&2; exit 1; }
after=$(rss)
out tree_100k_mib "$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", (a - b) / 1024 }')" MiB
out floor_rss_empty_mib "$(awk -v b="$before" 'BEGIN { printf "%.1f", b / 1024 }')" MiB
stop
