#!/bin/bash
# xenconsoled outlives the daemons around it: xenstored away for longer than
# libxenstore waits (the handle breaks; xenconsoled opens a new one when
# xenstored is back and serves the domains created meanwhile), and a
# SIGTERM after xen and xenstored are gone ends it at once.  Guest and
# hypervisor logs are written (--log all).
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 10
XS="$XK_TOP_BUILDDIR/xenstored/xenstored"
XC="$XK_TOP_BUILDDIR/backends/xenconsoled"
xk_daemon_env

xk_check "xen starts" xk_start_xen
xs_up() { "$XS" --run-dir "$XK_RUN" && xk_at_exit "kill \$(cat $XK_RUN/xenstored.pid) 2>/dev/null"; }
xk_check "xenstored starts" xs_up
# libxenstore gives up reconnecting after 1 s
XENSTORE_RECONNECT_TIMEOUT=1 "$XC" --run-dir "$XK_RUN" --log all --log-dir "$XK_RUN/consoles" \
    -L "$XK_RUN/xenconsoled.log"
xk_at_exit "kill \$(cat $XK_RUN/xenconsoled.pid) 2>/dev/null"
xk_check "xenconsoled starts" \
    xk_wait_for 10 eval 'grep -q "serving consoles" "$XK_RUN/xenconsoled.log"'
xcpid=$(cat "$XK_RUN/xenconsoled.pid")

kill "$(cat "$XK_RUN/xenstored.pid")"
xk_check "with xenstored gone for good, xenconsoled notices and keeps running" \
    xk_wait_for 15 eval 'grep -q "lost xenstored" "$XK_RUN/xenconsoled.log" && kill -0 '"$xcpid"
xk_check "xenstored starts again" xs_up
xk_check "xenconsoled reconnects" \
    xk_wait_for 15 eval 'grep -q "xenstored is back" "$XK_RUN/xenconsoled.log"'
out=$(xk_launch -x "$GUESTS/console" 2>&1); rc=$?
xk_diag "$out"
xk_check "a guest created afterwards has its PV console served" test $rc -eq 0
xk_check "... into its log" \
    xk_wait_for 10 eval 'grep -q "console: ring done" "$XK_RUN"/consoles/guest-*.log'
xk_check "--log all: the hypervisor's console, from its start, is in hypervisor.log" \
    xk_wait_for 10 eval 'grep -q "^(XEN) xenkvm " "$XK_RUN/consoles/hypervisor.log" &&
                         grep -q "^(d[0-9]*) console: OK" "$XK_RUN/consoles/hypervisor.log"'

# Everything else gone: SIGTERM must not wait for xenstored to come back.
kill "$(cat "$XK_RUN/xenstored.pid")"
xk_stop_xen >/dev/null
kill "$xcpid"
xk_check "then SIGTERM stops xenconsoled at once (its pid file goes within 3 s)" \
    xk_wait_for 3 eval '! test -e "$XK_RUN/xenconsoled.pid"'
xk_asan_clean || xk_diag "sanitizer reports above"
exit 0
