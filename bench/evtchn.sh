# bench/run evtchn: event-channel ping-pong round trip between two domains
# (bench-evtchn), next to its floor measured in the same run: two bare
# exit round trips (a guest's port write to userspace and back) plus an
# eventfd ping-pong between two host threads, unpinned as the vCPU
# threads are -- what the real path cannot avoid.  Also dom0 <-> guest.
. "$XK_BENCH_SRCDIR/lib.sh"
rounds=${XK_BENCH_ROUNDS:-2000}
bench_start_xen
out=$("$XK_TOP_BUILDDIR/tests/xk-pair" -q -t 300 -C "rounds=$rounds" -S "rounds=$rounds" \
      "$GUESTS/bench-evtchn" "$GUESTS/bench-evtchn")
line=$(xk_launch -D | grep 'bench-evtchn: rounds=' | tail -1)
[ -n "$line" ] || { echo "bench: bench-evtchn printed no result" >&2; echo "$out" >&2; exit 1; }
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
khz=$(get tsc_khz); med=$(get rtt_median_cycles); self=$(get self_notify_cycles)
exit_us=$("$XK_BENCH_BUILDDIR/kvm-floor" exit 5000 | awk '{ print $2 }')
efd_us=$("$XK_BENCH_BUILDDIR/kvm-floor" eventfd 5000 | awk '{ print $2 }')
# dom0 <-> guest: the guest serves, dom0 pings.
xk_launch -q -r -c "role=server peer=0 rounds=$rounds" "$GUESTS/bench-evtchn" >/dev/null
xk_wait_for 30 eval 'xk_launch -D | grep -q "bench-evtchn: server ready .*peer=0 "' ||
    { echo "bench: the dom0 ping-pong server did not start" >&2; exit 1; }
sline=$(xk_launch -D | grep 'bench-evtchn: server ready .*peer=0 ' | tail -1)
sdom=$(sed -n 's/.*domid=\([0-9]*\).*/\1/p' <<<"$sline")
sport=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$sline")
dom0=$("$XK_BENCH_BUILDDIR/evtchn-dom0" "$sdom" "$sport" "$rounds" | awk '{ print $2 }')
xk_stop_xen
awk -v m="$med" -v s="$self" -v k="$khz" -v e="$exit_us" -v f="$efd_us" -v d="$dom0" 'BEGIN {
    rtt = m / k * 1000; floor = 2 * e + f
    printf "evtchn.ratio %.2f x\n", rtt / floor
    printf "evtchn.rtt_us %.1f us\n", rtt
    printf "evtchn.floor_us %.1f us\n", floor
    printf "evtchn.floor_exit_us %.1f us\n", e
    printf "evtchn.floor_eventfd_us %.1f us\n", f
    printf "evtchn.self_notify_us %.1f us\n", s / k * 1000
    printf "evtchn.dom0_rtt_us %.1f us\n", d
}'
