# Shared by the benchmark scripts: a private xen for the run.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
trap - INT TERM
bench_start_xen() {
    [ -r /dev/kvm ] || { echo "bench: /dev/kvm is not usable here" >&2; exit 1; }
    xk_new_run_dir
    xk_start_xen "$@" || { echo "bench: xen did not start" >&2; exit 1; }
}
# median of the numbers on stdin
bench_median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
