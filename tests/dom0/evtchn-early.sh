#!/bin/bash
# An event dom0 sends before the guest runs still reaches it.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_start_xen >&2 || xk_bail "xen did not start"
"$XK_TESTS_BUILDDIR/dom0/evtchn-early" "$GUESTS/evtchn-early"
rc=$?
xk_stop_xen >&2 || rc=1
exit $rc
