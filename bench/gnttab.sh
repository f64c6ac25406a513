# bench/run gnttab: grant copy throughput (4 KiB ops) from dom0 against a
# plain memcpy of the same bytes -- 16 ops per xengnttab_grant_copy call,
# as a backend batches them (copy_mb_s), and one per call -- and grant
# map+unmap pairs per second.
. "$XK_BENCH_SRCDIR/lib.sh"
bench_start_xen
out=$("$XK_BENCH_BUILDDIR/gnttab" "$GUESTS/hello" "${XK_BENCH_SECONDS:-2}") || exit 1
xk_stop_xen
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
echo "gnttab.copy_mb_s $(get copy_mb_s) MB/s"
echo "gnttab.copy_single_mb_s $(get copy_single_mb_s) MB/s"
echo "gnttab.floor_memcpy_mb_s $(get floor_memcpy_mb_s) MB/s"
echo "gnttab.map_unmap_s $(get map_unmap_s) pairs/s"
