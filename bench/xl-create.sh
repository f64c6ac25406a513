# bench/run xl-create: `xl create -c` of the hello guest (16 MiB) from the
# start of xl to the guest's first console line on xl's output, and to xl's
# exit once the domain is gone (hello powers off; the monitor destroys it;
# the console sees it go).  Median and p95 over XK_BENCH_RUNS (30) runs.
#
# Floors in the same run: starting xl itself (`xl help`), and libxc alone
# doing the same creation (bench/domain-create: create, build, unpause, to
# the first console byte).  When QEMU is installed (Debian's
# qemu-system-x86), the comparison: `qemu-system-x86_64 -M microvm -accel
# kvm` from process start to the first serial byte of an equally small
# PVH guest (built here: it writes one byte to the UART and halts).
. "$XK_BENCH_SRCDIR/xl-lib.sh"
runs=${XK_BENCH_RUNS:-30}
xl_bench_start
cfg=$(xl_cfg hello hello)

# Warm up (page cache, the first domain's allocations).
xl_bench_time 3 "Hello from xenkvm" "$XL_BIN" create -q -c "$cfg" >/dev/null || exit 1
out=$(xl_bench_time "$runs" "Hello from xenkvm" "$XL_BIN" create -q -c "$cfg") || exit 1
read -r first_med first_p95 < <(awk '{ print $1 }' <<<"$out" | xl_bench_stats)
read -r gone_med gone_p95 < <(awk '{ print $2 }' <<<"$out" | xl_bench_stats)
exec_floor=$(xl_bench_time "$runs" "Usage" "$XL_BIN" help | awk '{ print $1 }' | xl_bench_stats |
             awk '{ print $1 }')
libxc=$("$XK_BENCH_BUILDDIR/domain-create" "$GUESTS/hello" "$runs") || exit 1
xk_wait_for 10 eval '[ "$(xl_monitors)" -eq 0 ]'
xl_stop_stack >/dev/null

echo "xl-create.median_ms $first_med ms"
echo "xl-create.p95_ms $first_p95 ms"
echo "xl-create.gone_median_ms $gone_med ms"
echo "xl-create.gone_p95_ms $gone_p95 ms"
echo "xl-create.floor_exec_median_ms $exec_floor ms"
echo "xl-create.floor_libxc_median_ms $(awk '$1 == "median_ms" { print $2 }' <<<"$libxc") ms"

qemu=$(command -v qemu-system-x86_64) || exit 0
# The PVH guest for QEMU: the PVH entry note, one byte to COM1, hlt.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/g.S" <<'ASM'
    .section .note.Xen, "a", @note
    .balign 4
    .long 4, 4, 18                  /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long _start
    .text
    .code32
    .globl _start
_start:
    mov $0x3f8, %dx
    mov $'H', %al
    out %al, %dx
1:  cli
    hlt
    jmp 1b
ASM
${CC:-cc} -m64 -nostdlib -static -Wl,-Ttext=0x100000 -Wl,--build-id=none \
    -Wl,-z,noexecstack -o "$tmp/g" "$tmp/g.S" || exit 1
qout=$(XL_BENCH_KILL=1 xl_bench_time "$runs" "" "$qemu" -M microvm,x-option-roms=off,rtc=off \
    -accel kvm -m 16 -nodefaults -no-user-config -display none -serial stdio \
    -kernel "$tmp/g") || exit 1
echo "xl-create.qemu_median_ms $(awk '{ print $1 }' <<<"$qout" | xl_bench_stats | awk '{ print $1 }') ms"
echo "xl-create.qemu_p95_ms $(awk '{ print $1 }' <<<"$qout" | xl_bench_stats | awk '{ print $2 }') ms"
