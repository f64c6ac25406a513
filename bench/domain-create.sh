# bench/run domain-create: xc_domain_create to the first console byte of
# hello (16 MiB), median and p95 over 50 runs, and poweroff to domain gone;
# next to bare KVM doing the least a VMM can (VM, 16 MiB memfd RAM, one
# vCPU in PVH's entry mode, run to its first port write; teardown).
. "$XK_BENCH_SRCDIR/lib.sh"
runs=${XK_BENCH_RUNS:-50}
bench_start_xen
out=$("$XK_BENCH_BUILDDIR/domain-create" "$GUESTS/hello" "$runs") || exit 1
floor=$("$XK_BENCH_BUILDDIR/kvm-floor" create "$runs") || exit 1
xk_stop_xen
get() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }
echo "domain-create.median_ms $(get "$out" median_ms) ms"
echo "domain-create.p95_ms $(get "$out" p95_ms) ms"
echo "domain-create.teardown_median_ms $(get "$out" teardown_median_ms) ms"
echo "domain-create.floor_bare_kvm_median_ms $(get "$floor" median_ms) ms"
echo "domain-create.floor_bare_kvm_p95_ms $(get "$floor" p95_ms) ms"
echo "domain-create.floor_bare_kvm_teardown_ms $(get "$floor" teardown_median_ms) ms"
