#!/bin/bash
# Garbage on the control socket does no harm.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 6

xk_check "xen starts" xk_start_xen
xk_wait_for 10 xk_fds_settled
fd0=$(xk_fd_count)
xk_check "a hostile client is answered or disconnected" \
    python3 "$XK_TESTS_SRCDIR/integration/ctl-garbage.py" "$XK_RUN/privcmd"
xk_check "xen is alive" xk_xen_alive
xk_check "xen still boots guests" xk_launch -q "$GUESTS/hello"
# xen sees the last clients go asynchronously: wait for it.
xk_check "no descriptors leaked" xk_wait_for 10 eval '[ "$(xk_fd_count)" -le '"$fd0"' ]'
xk_diag "descriptors: $fd0 before, $(xk_fd_count) after"
xk_check "xen stops cleanly" xk_stop_xen
