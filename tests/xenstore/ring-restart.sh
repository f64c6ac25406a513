#!/bin/bash
# A guest's ring connection outlives xenstored: across a restart (SIGTERM,
# state file) and a live update the guest keeps its watch and is served
# on the same ring, with nothing to redo.  When xen exits under it,
# xenstored releases every domain and goes on serving dom0.  The guest is
# played from dom0 on a paused domain's ring page (xs-ring-test play).
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 12
RT="$XK_TESTS_BUILDDIR/xenstore/xs-ring-test"

xk_start_xen || xk_bail "xen did not start"
xs_start || xk_bail "xenstored did not start"

coproc PLAY { "$RT" play "$GUESTS/idle" 2>&1; }
xk_at_exit "kill $PLAY_PID 2>/dev/null"
# p COMMAND: one command to the played guest, its answer in $ans.
p() { echo "$*" >&"${PLAY[1]}"; ans=; read -r -t 20 ans <&"${PLAY[0]}"; }
read -r -t 30 first dom <&"${PLAY[0]}"
[ "$first" = domid ] || xk_bail "xs-ring-test play: $first $dom"
ev="event data/kick k"                 # a relative watch: relative paths

# Queued before INTRODUCE: served when xenstored attaches the ring.
p watch data/kick k; p introduce; a1=$ans
p next; a2=$ans; p next; a3=$ans
p kick; p next; a4=$ans
xk_check "the guest's watch works ($a1; $a2; $a3; $a4)" \
    test "$a1|$a2|$a3|$a4" = "OK|WATCH OK|$ev|$ev"

xs_stop
xk_check "SIGTERM saved the ring connection" test -s "$XK_RUN/xenstored.state"
xs_start || xk_bail "xenstored did not restart"
p kick; p next; a5=$ans
xk_check "after a restart the watch fires on the same ring ($a5)" test "$a5" = "$ev"
p read domid; p kick; p reply; a6=$ans
xk_check "... and requests are served ($a6)" test "$a6" = "READ $dom"
xk_check "... one watch, as before" eval \
    '"$XS_CLIENT" control quota "$dom" | grep -q "watches *: *1 "'

p write data/w before-update; p kick; p reply; a7=$ans
p read data/w                        # queued: served after the update
"$XS_CLIENT" control live-update -s >/dev/null
xk_check "live update done" xk_wait_for 20 grep -q "live update complete" "$XK_RUN/xenstored.log"
p reply; a8=$ans
xk_check "a request queued across the live update is served ($a7; $a8)" \
    test "$a7|$a8" = "WRITE OK|READ before-update"
p kick; p next; a9=$ans
xk_check "... and the watch is kept ($a9)" test "$a9" = "$ev"

xk_check "nothing worth a warning so far" eval '! grep -E " (warn|error):" "$XK_RUN/xenstored.log"'

# xen goes away: every domain is gone; dom0 is still served.
xk_stop_xen >/dev/null
xk_check "xenstored noticed xen's exit and released the domain" eval '
    xk_wait_for 10 grep -q "closed its control socket" "$XK_RUN/xenstored.log" &&
    ! "$XS_CLIENT" control quota "$dom" 2>/dev/null | grep -q "(introduced)"'
xk_check "... and serves dom0" test "$("$XS_OURS/xenstore-read" /local/domain/0/name)" = Domain-0
echo quit >&"${PLAY[1]}"
wait "$PLAY_PID" 2>/dev/null
xk_check "xenstored exits cleanly" xs_stop
exit 0
