#!/bin/bash
# A storm of random hypercalls leaves xen healthy.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 6

count=100000
[ -n "${XK_ASAN:-}" ] && count=20000
xk_check "xen starts" xk_start_xen
out=$(xk_launch -t 600 -c "seed=7 count=$count" "$GUESTS/hcall-fuzz" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "hcall-fuzz ($count calls) ends powered off" test $rc -eq 0
xk_check "it reports all $count calls" grep -q "calls=$count " <<<"$out"
xk_check "xen is alive" xk_xen_alive
xk_check "xen still boots guests" xk_launch -q "$GUESTS/hello"
xk_check "xen stops cleanly" xk_stop_xen
