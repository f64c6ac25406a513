#!/bin/bash
# Many domains: 20 at once; 200 create/destroy cycles leak nothing.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 7

xk_check "xen starts" xk_start_xen

out=$(xk_launch -q -n 20 "$GUESTS/hello" 2>&1); rc=$?
xk_check "20 domains at once all power off" test $rc -eq 0
xk_check "... and all 20 reported" test "$(grep -c ': poweroff$' <<<"$out")" -eq 20

# Warm up allocator arenas and caches, then take the baseline.
xk_launch -l 20 "$GUESTS/hello" >/dev/null
xk_wait_for 10 xk_fds_settled
fd0=$(xk_fd_count); rss0=$(xk_rss_kb); thr0=$(xk_threads)
xk_check "200 create/destroy cycles succeed" xk_launch -l 200 "$GUESTS/hello"
# the launcher's connection goes a moment after it exits
xk_wait_for 10 eval '[ "$(xk_fd_count)" -le '"$fd0"' ]'
fd1=$(xk_fd_count); rss1=$(xk_rss_kb); thr1=$(xk_threads)
xk_diag "fds $fd0 -> $fd1, RssAnon ${rss0} kB -> ${rss1} kB, threads $thr0 -> $thr1"
xk_check "xen's fd count is back to baseline" test "$fd1" -eq "$fd0"
xk_check "xen's thread count is back to baseline" test "$thr1" -eq "$thr0"
# Allow allocator noise of 256 kB, far below one domain's worth of leaks.
if [ -n "${XK_ASAN:-}" ]; then
    xk_skip "xen's RSS is back to baseline" "ASan keeps freed memory in quarantine; LeakSanitizer checks leaks"
else
    xk_check "xen's RSS is back to baseline" test $((rss1 - rss0)) -le 256
fi
xk_stop_xen >/dev/null
