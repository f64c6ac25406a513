#!/bin/bash
# xen's command line and start-up checks.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 9

out=$("$XEN_BIN" --help 2>&1); rc=$?
xk_check "--help succeeds" test $rc -eq 0
xk_check "--help lists the options" grep -q -- '--run-dir' <<<"$out"
out=$("$XEN_BIN" --memory lots --foreground 2>&1); rc=$?
xk_diag "$out"
xk_check "a bad --memory is refused with a message" test $rc -eq 1 -a -n "$(grep -- '--memory' <<<"$out")"
out=$("$XEN_BIN" --pcpus 0 --foreground 2>&1); rc=$?
xk_check "a bad --pcpus is refused" test $rc -eq 1
out=$("$XEN_BIN" --halt-poll forever --foreground 2>&1); rc=$?
xk_check "a bad --halt-poll is refused with a message" test $rc -eq 1 -a -n "$(grep -- '--halt-poll' <<<"$out")"
out=$("$XEN_BIN" --bogus 2>&1); rc=$?
xk_check "an unknown option is a usage error" test $rc -eq 2
# No /dev/kvm: a private mount namespace with an empty /dev.
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
    out=$(unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" --foreground --run-dir "$1"' \
          "$XEN_BIN" "$XK_RUN/nokvm" 2>&1); rc=$?
    xk_diag "$out"
    xk_check "without /dev/kvm xen exits with status 1" test $rc -eq 1
    xk_check "... saying that /dev/kvm is missing" grep -q '/dev/kvm is missing' <<<"$out"
else
    xk_skip "without /dev/kvm xen exits with status 1" "no mount namespaces here"
    xk_skip "... saying that /dev/kvm is missing" "no mount namespaces here"
fi
# Detached start: the parent returns once xen serves, the log is in RUNDIR.
xk_daemon_env
"$XEN_BIN" --run-dir "$XK_RUN" --memory 256M
pid=$(cat "$XK_RUN/xen.pid" 2>/dev/null)
xk_at_exit "kill -9 $pid 2>/dev/null"
xk_check "a detached xen serves as soon as its parent returns" xk_launch -L
kill -TERM "$pid"
xk_wait_for 30 eval '! kill -0 '"$pid"' 2>/dev/null' || xk_diag "the detached xen did not stop"
exit 0
