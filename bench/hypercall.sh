# bench/run hypercall: xen_version(XENVER_version) round trip from a guest,
# against the same guest loop calling an identical stub that writes to an
# unclaimed port (the exit without the hypercall work), and a bare port
# write loop.  Each figure is the median of 5 guest runs.
. "$XK_BENCH_SRCDIR/lib.sh"
iters=${XK_BENCH_ITERS:-20000}
bench_start_xen
h= f= b= khz=
for i in 1 2 3 4 5; do
    line=$(xk_launch -c "iters=$iters" "$GUESTS/bench-hcall" | grep 'bench-hcall:')
    [ -n "$line" ] || { echo "bench: the bench-hcall guest printed nothing" >&2; exit 1; }
    khz=$(sed 's/.*tsc_khz=\([0-9]*\).*/\1/' <<<"$line")
    h="$h $(sed 's/.*hcall_cycles=\([0-9]*\).*/\1/' <<<"$line")"
    f="$f $(sed 's/.*stub_floor_cycles=\([0-9]*\).*/\1/' <<<"$line")"
    b="$b $(sed 's/.*bare_out_cycles=\([0-9]*\).*/\1/' <<<"$line")"
done
xk_stop_xen
hm=$(tr ' ' '\n' <<<"$h" | grep . | bench_median)
fm=$(tr ' ' '\n' <<<"$f" | grep . | bench_median)
bm=$(tr ' ' '\n' <<<"$b" | grep . | bench_median)
awk -v h="$hm" -v f="$fm" -v b="$bm" -v k="$khz" 'BEGIN {
    printf "hypercall.ratio %.3f x\n", h / f
    printf "hypercall.rtt_us %.2f us\n", h / k * 1000
    printf "hypercall.floor_stub_us %.2f us\n", f / k * 1000
    printf "hypercall.floor_bare_out_us %.2f us\n", b / k * 1000
}'
