# Helpers for tests that run a real xen: source after lib.sh.
#   xk_start_xen [OPTION...]   starts xen in $XK_RUN (foreground, logging to
#                              $XK_RUN/xen.log) and waits for its socket
#   xk_stop_xen                SIGTERM, wait for exit; fails on a bad exit
#   xk_launch ARGS...          runs the test launcher
XEN_BIN="$XK_TOP_BUILDDIR/xen/xen"
XK_LAUNCH="$XK_TOP_BUILDDIR/tests/xk-launch"
GUESTS="$XK_TOP_BUILDDIR/guest"
XEN_PID=

xk_xen_ready() { [ -S "$XK_RUN/privcmd" ]; }
xk_xen_alive() { [ -n "$XEN_PID" ] && kill -0 "$XEN_PID" 2>/dev/null; }

xk_start_xen() {
    xk_daemon_env
    "$XEN_BIN" --foreground --run-dir "$XK_RUN" --log-file "$XK_RUN/xen.log" \
        --memory 2G "$@" 2>>"$XK_RUN/xen.stderr" &
    XEN_PID=$!
    xk_at_exit "kill -9 $XEN_PID 2>/dev/null"
    if ! xk_wait_for 20 xk_xen_ready; then
        cat "$XK_RUN/xen.stderr" "$XK_RUN/xen.log" 2>/dev/null | sed 's/^/# /'
        return 1
    fi
}

xk_stop_xen() { xk_stop_daemon xen XEN_PID; }

xk_launch() { "$XK_LAUNCH" "$@"; }
xk_fd_count() { ls "/proc/$XEN_PID/fd" | wc -l; }
# True when xen's descriptor count holds still for 50 ms (a client that
# just exited is closed by xen asynchronously): for xk_wait_for.
xk_fds_settled() { local a; a=$(xk_fd_count); sleep 0.05; [ "$a" -eq "$(xk_fd_count)" ]; }
xk_rss_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$XEN_PID/status"; }
xk_threads() { awk '/^Threads:/ { print $2 }' "/proc/$XEN_PID/status"; }
