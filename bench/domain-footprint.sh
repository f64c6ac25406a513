# bench/run domain-footprint: growth of xen's RSS (anonymous + file; the
# guests' RAM is shared memory and excluded) per idle 16 MiB domain, next
# to the same growth in a bare process holding as many KVM VMs with one
# blocked vCPU thread each.
. "$XK_BENCH_SRCDIR/lib.sh"
n=${XK_BENCH_DOMAINS:-20}
bench_start_xen
rss() { awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { print a + f }' "/proc/$XEN_PID/status"; }
idle_count() { xk_launch -D | grep -c 'idle: ready'; }
# Warm-up domain (first-use allocations), then the baseline.
xk_launch -q -r "$GUESTS/idle" >/dev/null
xk_wait_for 30 eval '[ "$(idle_count)" -ge 1 ]' || { echo "bench: idle guest did not start" >&2; exit 1; }
before=$(rss)
xk_launch -q -r -n "$n" "$GUESTS/idle" >/dev/null
xk_wait_for 60 eval '[ "$(idle_count)" -ge $((n + 1)) ]' || { echo "bench: idle guests did not start" >&2; exit 1; }
after=$(rss)
floor=$("$XK_BENCH_BUILDDIR/kvm-floor" footprint $((n + 1))) || exit 1
xk_stop_xen
awk -v b="$before" -v a="$after" -v n="$n" 'BEGIN { printf "domain-footprint.kib_per_domain %.1f KiB\n", (a - b) / n }'
echo "domain-footprint.floor_bare_kvm_kib_per_vm $(awk '{ print $2 }' <<<"$floor") KiB"
