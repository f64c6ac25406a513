#!/bin/bash
# A guest that scribbles on its ring (bad indices, oversized, truncated or
# garbage messages, indices broken while connected) is disconnected with
# one log line; nothing else notices: dom0 is served throughout, a real
# guest booted afterwards is served, and xenstored exits cleanly.  The
# hostile guest is played from dom0 on a paused domain's ring page
# (xs-ring-test hostile), which also checks requests across the index
# wrap-around, RELEASE dropping a guest's watch and transaction, the
# reconnection feature and a guest that never reads its replies.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 6
RT="$XK_TESTS_BUILDDIR/xenstore/xs-ring-test"

xk_start_xen || xk_bail "xen did not start"
xs_start || xk_bail "xenstored did not start"

"$RT" hostile "$GUESTS/idle" >"$XK_RUN/hostile.out" 2>&1; rc=$?
sed 's/^/# /' "$XK_RUN/hostile.out"
xk_check "every case handled as it should (status $rc)" eval \
    '[ $rc -eq 0 ] && grep -qx done "$XK_RUN/hostile.out" && ! grep -q "^not ok" "$XK_RUN/hostile.out"'

dom=$(awk '$1 == "domid" { print $2 }' "$XK_RUN/hostile.out")
want=$(awk '$1 == "violations" { print $2 }' "$XK_RUN/hostile.out")
got=$(grep -c "domain ${dom:-x}.*protocol violation" "$XK_RUN/xenstored.log")
grep "protocol violation" "$XK_RUN/xenstored.log" | sed 's/^/# /'
xk_check "one log line per violation ($got for ${want:-?})" test "$got" = "${want:-x}"
# (The flood case meets the outstanding quota, which is logged once.)
xk_check "... and no other warning" eval '! grep -E " (warn|error):" "$XK_RUN/xenstored.log" |
    grep -v -e "protocol violation" -e "outstanding quota of 20 reached"'

dom=$("$RT" boot "$GUESTS/xs-ring" 2>"$XK_RUN/boot.err")
guest_says() { xk_launch -D | grep -q "(d$dom) xs-ring: $1"; }
xk_check "a guest booted afterwards is served over its ring" \
    xk_wait_for 60 guest_says "OK domid=$dom"
[ -n "$dom" ] && "$RT" destroy "$dom"
xk_check "xenstored's tree and accounting are consistent (CONTROL check)" \
    test "$("$XS_CLIENT" control check)" = OK
xk_check "xenstored exits cleanly" xs_stop
xk_stop_xen >/dev/null
exit 0
