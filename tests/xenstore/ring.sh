#!/bin/bash
# Guests reach xenstored over their ring page: the xs-ring guest of guest/
# reads its domid and writes a node through its ring while dom0 watches;
# its poweroff fires @releaseDomain, its destruction (VIRQ_DOM_EXC)
# releases it; the pvctl guest follows control/shutdown through a watch
# (events to the guest over its ring); RELEASE tears an idle guest's ring
# down; xenstored unmaps what it mapped and exits cleanly.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 17
RT="$XK_TESTS_BUILDDIR/xenstore/xs-ring-test"

xk_start_xen || xk_bail "xen did not start"
xs_start || xk_bail "xenstored did not start"
xk_check "xenstored reaches the hypervisor" \
    xk_wait_for 10 grep -q "serving guest rings through the hypervisor" "$XK_RUN/xenstored.log"

# Guest memory that xenstored has mapped (the domains' memory files).
mapped() { grep -c memfd "/proc/$XS_PID/maps"; }
lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
base_maps=$(mapped)

# dom0 watches every domain's entries and the special paths.
"$XS_OURS/xenstore-watch" /local/domain @releaseDomain @introduceDomain >"$XK_RUN/events" &
watcher=$!
xk_at_exit "kill $watcher 2>/dev/null"
xk_wait_for 10 lines "$XK_RUN/events" 3

dom=$("$RT" boot "$GUESTS/xs-ring" 2>"$XK_RUN/boot.err")
xk_check "xs-ring booted with XenStore (domain ${dom:-none})" test -n "$dom"
[ -n "$dom" ] || { sed 's/^/# /' "$XK_RUN/boot.err"; xk_bail "no guest"; }
guest_says() { xk_launch -D | grep -q "(d$dom) xs-ring: $1"; }
xk_check "the guest read its domid and wrote, read, listed and removed data/xs-ring" \
    xk_wait_for 60 guest_says "OK domid=$dom path=/local/domain/$dom"
xk_launch -D | grep "(d$dom)" | sed 's/^/# /'
xk_check "dom0's watch saw the guest's write" \
    xk_wait_for 10 grep -qx "/local/domain/$dom/data/xs-ring" "$XK_RUN/events"
state() { xk_launch -L | awk -v d="$dom" '$2 == d { print $5 }'; }
xk_check "the guest powered off" xk_wait_for 30 eval '[ "$(state)" = poweroff ]'
xk_check "... which fired @releaseDomain, the domain still introduced" eval '
    xk_wait_for 10 grep -qx @releaseDomain "$XK_RUN/events" &&
    "$XS_CLIENT" control quota "$dom" | grep -q "(introduced) (shut down)"'

n_release=$(grep -cx @releaseDomain "$XK_RUN/events")
"$RT" destroy "$dom"
gone() { ! "$XS_CLIENT" control quota "$dom" 2>/dev/null | grep -q "(introduced)"; }
xk_check "destroying it (VIRQ_DOM_EXC) released it" xk_wait_for 10 gone
xk_check "... with one more @releaseDomain" xk_wait_for 10 eval \
    '[ "$(grep -cx @releaseDomain "$XK_RUN/events")" -gt '"$n_release"' ]'
xk_check "... and its ring unmapped" xk_wait_for 10 eval '[ "$(mapped)" -eq '"$base_maps"' ]'

# Watch events to a guest: pvctl watches control/shutdown.
dom=$("$RT" boot "$GUESTS/pvctl" 2>"$XK_RUN/boot.err")
pvctl_says() { xk_launch -D | grep -q "(d$dom) pvctl: $1"; }
xk_check "pvctl is up with XenStore (domain ${dom:-none})" \
    xk_wait_for 60 pvctl_says "ready domid=$dom .*xenstore=yes"
xk_check "... and wrote control/feature-poweroff through its ring" test \
    "$("$XS_OURS/xenstore-read" "/local/domain/$dom/control/feature-poweroff")" = 1
"$XS_OURS/xenstore-write" "/local/domain/$dom/control/shutdown" poweroff
xk_check "a poweroff request reached it through its watch, and it obeyed" eval '
    xk_wait_for 30 pvctl_says "shutdown poweroff" && xk_wait_for 30 eval "[ \"\$(state)\" = poweroff ]"'
"$RT" destroy "$dom"

# RELEASE of a running guest that never touches its ring.
dom=$("$RT" boot "$GUESTS/idle" 2>"$XK_RUN/boot.err")
xk_check "idle booted with XenStore (domain ${dom:-none})" eval \
    '[ -n "$dom" ] && "$XS_CLIENT" control quota "$dom" | grep -q "(introduced)"'
xk_check "its ring is mapped" test "$(mapped)" -gt "$base_maps"
"$XS_CLIENT" release "$dom" >/dev/null
xk_check "RELEASE unbinds and unmaps it" eval 'gone && xk_wait_for 10 eval \
    "[ \$(mapped) -eq $base_maps ]"'
"$RT" destroy "$dom"

kill "$watcher" 2>/dev/null
xk_check "xenstored logged no warning" eval '! grep -E " (warn|error):" "$XK_RUN/xenstored.log"'
xk_check "xenstored exits cleanly" xs_stop
xk_stop_xen >/dev/null
exit 0
