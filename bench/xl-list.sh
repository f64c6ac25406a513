# bench/run xl-list: `xl list` with 100 running domains (idle, 4 MiB each,
# created with xl create, each with its monitor), median over
# XK_BENCH_RUNS (30) runs, from process start to exit.  Floors in the same
# run: `xl list` with Domain-0 alone, and starting xl (`xl help`).
. "$XK_BENCH_SRCDIR/xl-lib.sh"
runs=${XK_BENCH_RUNS:-30}
n=${XK_BENCH_DOMAINS:-100}
xl_bench_start
cfg=$(xl_cfg idle idle memory=4)
med() { xl_bench_time "$runs" "$1" "${@:2}" | awk '{ print $2 }' | xl_bench_stats | awk '{ print $1 }'; }

floor_exec=$(med "Usage" "$XL_BIN" help)
floor_0=$(med "Domain-0" "$XL_BIN" list)
for i in $(seq 1 "$n"); do
    "$XL_BIN" create -q "$cfg" "name=\"idle$i\"" || { echo "bench: create $i failed" >&2; exit 1; }
done
[ "$("$XL_BIN" list | wc -l)" -eq $((n + 2)) ] || { echo "bench: not $n domains" >&2; exit 1; }
t=$(med "idle$n" "$XL_BIN" list)
xl_stop_stack >/dev/null

echo "xl-list.ms_$n $t ms"
echo "xl-list.floor_ms_0 $floor_0 ms"
echo "xl-list.floor_exec_ms $floor_exec ms"
