# Helpers for the XenStore integration tests: source after lib.sh.
#   xs_start [OPTION...]   starts our xenstored in $XK_RUN (foreground,
#                          log $XK_RUN/xenstored.log) and waits for it
#   xs_stop                SIGTERM, waits; fails on a bad exit or a
#                          sanitizer report
#   XS_OURS                directory of our xenstore-* commands
#   XS_CLIENT              the libxenstore test client
# Real clients (Debian's xenstore-utils) find the daemon through
# XENSTORED_PATH, which xs_start exports.
XS_DAEMON="$XK_TOP_BUILDDIR/xenstored/xenstored"
XS_OURS="$XK_TOP_BUILDDIR/cli"
XS_CLIENT="$XK_TESTS_BUILDDIR/xenstore/xs-test-client"
XS_PID=

xs_ready() { [ -S "$XK_RUN/socket" ] && [ -S "$XK_RUN/socket_ro" ]; }
xs_alive() { [ -n "$XS_PID" ] && kill -0 "$XS_PID" 2>/dev/null; }

xs_start() {
    xk_daemon_env
    export XENSTORED_PATH="$XK_RUN/socket"
    "$XS_DAEMON" --foreground --run-dir "$XK_RUN" --log-file "$XK_RUN/xenstored.log" \
        "$@" 2>>"$XK_RUN/xenstored.stderr" &
    XS_PID=$!
    xk_at_exit "kill -9 $XS_PID 2>/dev/null"
    if ! xk_wait_for 20 xs_ready; then
        cat "$XK_RUN/xenstored.stderr" "$XK_RUN/xenstored.log" 2>/dev/null | sed 's/^/# /'
        return 1
    fi
}

xs_stop() { xk_stop_daemon xenstored XS_PID; }

# xs_have_real: Debian's xenstore-utils are installed.
xs_have_real() { [ -x /usr/bin/xenstore-read ] && [ -x /usr/bin/xenstore-ls ]; }
