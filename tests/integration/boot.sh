#!/bin/bash
# Booting the test guests: hello, crash, halt; the daemon's lifecycle.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 16

xk_check "xen starts in a private run directory" xk_start_xen
xk_check "the control socket is private (0600)" \
    test "$(stat -c %a "$XK_RUN/privcmd")" = 600
xk_check "the pid file holds xen's pid" test "$(cat "$XK_RUN/xen.pid")" = "$XEN_PID"

out=$(xk_launch "$GUESTS/hello" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "hello ends shutdown(poweroff)" test $rc -eq 0
xk_check "hello prints its greeting with its domid" \
    grep -qE '^\(d[0-9]+\) Hello from xenkvm guest, domid [0-9]+$' <<<"$out"
dom=$(sed -n 's/^(d\([0-9]*\)) Hello.*domid \([0-9]*\)$/\1 \2/p' <<<"$out")
xk_check "the domid the guest read from CPUID is its own" test "${dom% *}" = "${dom#* }"

out=$(xk_launch -e crash "$GUESTS/crash" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "crash ends crashed" test $rc -eq 0
dmesg=$(xk_launch -D)
xk_check "the crash left a register dump in the hypervisor console" \
    grep -q 'triple fault' <<<"$dmesg"
xk_check "the register dump shows RIP and CR3" \
    grep -qE 'RIP: .*[0-9a-f]{16}' <<<"$dmesg"

out=$(xk_launch "$GUESTS/halt" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "halt (cli; hlt) ends powered off" test $rc -eq 0

# A second xen on the same run directory refuses to start.
msg=$("$XEN_BIN" --foreground --run-dir "$XK_RUN" 2>&1); rc=$?
xk_diag "$msg"
xk_check "a second xen on the same run directory refuses to start" test $rc -ne 0
xk_check "it says which xen holds the run directory" grep -q "already running" <<<"$msg"
xk_check "the first xen still answers" xk_launch -L

# Domains left running are destroyed when xen stops.
xk_launch -r -m 16 "$GUESTS/idle" >/dev/null
xk_check "an idle domain is left running" test "$(xk_launch -L | grep -c idle\\\|blocked\\\|running)" -ge 2
xk_check "SIGTERM stops xen cleanly, destroying the domains" xk_stop_xen
xk_check "nothing is left in the run directory but logs" \
    test -z "$(ls "$XK_RUN" | grep -vE '^(xen\.log|xen\.stderr|asan.*)$')"
