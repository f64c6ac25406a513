# Shared by the xl benchmarks: a private stack (xen, xenstored,
# xenconsoled) and the xl binary itself, run as an installed xl runs
# (not through libtool's wrapper script, which costs ~10 ms a start).
. "$XK_BENCH_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
XL_REAL="$XK_TOP_BUILDDIR/cli/.libs/xl"
[ -x "$XL_REAL" ] || XL_REAL="$XK_TOP_BUILDDIR/cli/xl"     # linked statically
export LD_LIBRARY_PATH="$XK_TOP_BUILDDIR/libxl/.libs:$XK_TOP_BUILDDIR/libxc/.libs:$XK_TOP_BUILDDIR/xenstored/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
XL_BIN=$XL_REAL

xl_bench_start() {
    [ -r /dev/kvm ] || { echo "bench: /dev/kvm is not usable here" >&2; exit 1; }
    xk_new_run_dir
    xl_start_stack "$@" || { echo "bench: the stack did not start" >&2; exit 1; }
}

# xl_bench_time RUNS MARKER CMD...: runs CMD RUNS times; for each prints
# "FIRST_MS END_MS": from the start of the process to the first output
# holding MARKER (empty MARKER: the first byte), and to its exit (or, with
# XL_BENCH_KILL=1, to when it was killed after the marker).
xl_bench_time() {
    python3 - "$@" <<'PY'
import os, signal, subprocess, sys, time
runs, marker, cmd = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3:]
kill = os.environ.get("XL_BENCH_KILL") == "1"
for _ in range(runs):
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    buf, first = b"", None
    while True:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        if first is None and (marker in buf if marker else buf):
            first = time.monotonic_ns()
            if kill:
                p.send_signal(signal.SIGKILL)
    p.wait()
    end = time.monotonic_ns()
    if first is None:
        sys.exit("bench: %s printed no %r" % (cmd[0], marker))
    print("%.3f %.3f" % ((first - t0) / 1e6, (end - t0) / 1e6))
PY
}

# Median and 95th percentile of the numbers on stdin.
xl_bench_stats() {
    sort -g | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        p = int(NR * 0.95 + 0.999); if (p < 1) p = 1; if (p > NR) p = NR
        printf "%.3f %.3f\n", m, a[p] }'
}
