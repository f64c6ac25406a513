# bench/run evtchn: event-channel ping-pong round trip between two domains
# (bench-evtchn), next to its floors measured in the same run.
#
# evtchn.rtt_us is xen's blocking path: both guests wait with
# SCHEDOP_poll on a masked port (lean=poll: the vCPU blocks in xen and the
# peer's send wakes it), so the guests add only a dozen instructions.
# Each side answers and waits in one multicall (EVTCHNOP_send, then
# SCHEDOP_poll): one exit per half round trip, as the floor has.
# evtchn.rtt_two_calls_us is the same with the two as separate
# hypercalls (mc=0).
# Its floor, as the issue defines it: two bare exit round trips (a
# guest's port write to userspace and back) plus an eventfd ping-pong
# between two host threads, unpinned as the vCPU threads are -- what the
# real path cannot avoid (evtchn.ratio).
#
# Under nested KVM (PVM) every guest kernel-mode instruction is emulated
# (about 1 us each), so the guests' own dozen instructions per half are
# not free there.  evtchn.floor_guest_us measures them between the same
# two domains (bench-evtchn's shared-page floor: the same loop with
# sequence numbers in a granted page instead of pending bits, and the
# send stub's exit going to an unclaimed port instead of xen) plus the
# eventfd ping-pong for the two wake-ups; evtchn.ratio_guest_floor is the
# round trip against that: what xen itself adds.  Also reported: the
# spinning path (no wake-ups; its floor is the shared-page loop alone),
# the kit's upcall path (interrupt delivery and the kit's handler: what a
# guest kernel pays), and a dom0 <-> guest ping-pong through libxenevtchn
# (its floor: one exit and one thread wake-up round trip).
. "$XK_BENCH_SRCDIR/lib.sh"
rounds=${XK_BENCH_ROUNDS:-2000}
PAIR="$XK_TOP_BUILDDIR/tests/xk-pair"
bench_start_xen

# pair ARGS: runs a ping-pong with ARGS on both sides; prints the client's
# result line
pair() {
    local out line
    out=$("$PAIR" -t 300 -C "rounds=$rounds $*" -S "rounds=$rounds $*" \
          "$GUESTS/bench-evtchn" "$GUESTS/bench-evtchn" 2>&1)
    line=$(grep 'bench-evtchn: rounds=' <<<"$out" | tail -1)
    [ -n "$line" ] || { echo "bench: bench-evtchn ($*) printed no result" >&2
                        echo "$out" >&2; exit 1; }
    echo "$line"
}
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }

poll=$(pair lean=poll)
poll2=$(pair lean=poll mc=0)
spin=$(pair lean=spin)
kit=$(pair)
exit_us=$("$XK_BENCH_BUILDDIR/kvm-floor" exit 5000 | awk '{ print $2 }')
efd_us=$("$XK_BENCH_BUILDDIR/kvm-floor" eventfd 5000 | awk '{ print $2 }')

# dom0 <-> guest: the guest serves (lean=poll), dom0 pings.
xk_launch -q -r -c "role=server peer=0 rounds=$rounds lean=poll" "$GUESTS/bench-evtchn" >/dev/null
xk_wait_for 30 eval 'xk_launch -D | grep -q "bench-evtchn: server ready .*peer=0 "' ||
    { echo "bench: the dom0 ping-pong server did not start" >&2; exit 1; }
sline=$(xk_launch -D | grep 'bench-evtchn: server ready .*peer=0 ' | tail -1)
sdom=$(sed -n 's/.*domid=\([0-9]*\).*/\1/p' <<<"$sline")
sport=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$sline")
dom0=$("$XK_BENCH_BUILDDIR/evtchn-dom0" "$sdom" "$sport" "$rounds" | awk '{ print $2 }')
xk_stop_xen

awk -v k="$(get tsc_khz "$poll")" \
    -v p="$(get rtt_median_cycles "$poll")" -v g="$(get shm_floor_cycles "$poll")" \
    -v p2="$(get rtt_median_cycles "$poll2")" \
    -v s="$(get rtt_median_cycles "$spin")" -v gs="$(get shm_floor_cycles "$spin")" \
    -v kr="$(get rtt_median_cycles "$kit")" -v ks="$(get self_notify_cycles "$kit")" \
    -v e="$exit_us" -v f="$efd_us" -v d="$dom0" 'BEGIN {
    us = 1000 / k
    rtt = p * us; floor = 2 * e + f; gfloor = g * us + f
    printf "evtchn.ratio %.2f x\n", rtt / floor
    printf "evtchn.rtt_us %.1f us\n", rtt
    printf "evtchn.rtt_two_calls_us %.1f us\n", p2 * us
    printf "evtchn.floor_us %.1f us\n", floor
    printf "evtchn.floor_exit_us %.1f us\n", e
    printf "evtchn.floor_eventfd_us %.1f us\n", f
    printf "evtchn.ratio_guest_floor %.2f x\n", rtt / gfloor
    printf "evtchn.floor_guest_us %.1f us\n", gfloor
    printf "evtchn.rtt_spin_us %.1f us\n", s * us
    printf "evtchn.floor_spin_us %.1f us\n", gs * us
    printf "evtchn.rtt_kit_upcall_us %.1f us\n", kr * us
    printf "evtchn.self_notify_kit_upcall_us %.1f us\n", ks * us
    printf "evtchn.dom0_rtt_us %.1f us\n", d
    printf "evtchn.floor_dom0_us %.1f us\n", e + f
}'
