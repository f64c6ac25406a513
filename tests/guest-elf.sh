#!/bin/sh
# Each guest image is an ELF64 x86-64 executable whose first PT_LOAD is at
# physical 1 MiB, with a PT_NOTE holding the Xen notes the PVH builder
# needs (PHYS32_ENTRY inside the loaded code, GUEST_OS, XEN_VERSION,
# LOADER), and no PT_INTERP or dynamic section.
. "$XK_TESTS_SRCDIR/lib.sh"

guests="hello crash halt hcall-fuzz bench-hcall idle gettimeofday timer smp
evtchn-pingpong evtchn-flood gnttab-share gnttab-revoke bench-evtchn console
xs-ring pvctl virq-debug evtchn-early serial-echo"
command -v readelf >/dev/null 2>&1 || xk_skip_all "readelf (binutils) is not installed"
xk_plan $(echo $guests | wc -w)
export LC_ALL=C

check_guest() {
    g=$XK_TOP_BUILDDIR/guest/$1
    [ -f "$g" ] || { xk_diag "$g is missing"; return 1; }
    h=$(readelf -h "$g") || return 1
    echo "$h" | grep -q 'Class: *ELF64' || { xk_diag "$1: not ELF64"; return 1; }
    echo "$h" | grep -q 'Type: *EXEC' || { xk_diag "$1: not an executable"; return 1; }
    echo "$h" | grep -q 'Machine: *Advanced Micro Devices X86-64' ||
        { xk_diag "$1: not x86-64"; return 1; }

    # program headers, one per line: type offset vaddr paddr filesz memsz
    l=$(readelf -lW "$g" | awk '$1 == "LOAD" || $1 == "NOTE" || $1 == "INTERP" || $1 == "DYNAMIC"')
    echo "$l" | grep -q '^ *\(INTERP\|DYNAMIC\)' && { xk_diag "$1: dynamic"; return 1; }
    first=$(echo "$l" | awk '$1 == "LOAD" { print $4; exit }')
    [ "$((first))" -eq $((0x100000)) ] ||
        { xk_diag "$1: first PT_LOAD at paddr $first, not 0x100000"; return 1; }
    echo "$l" | grep -q '^ *NOTE' || { xk_diag "$1: no PT_NOTE"; return 1; }

    # notes: owner Xen, types 0x12 (PHYS32_ENTRY), 6, 5, 8
    n=$(readelf -nW "$g")
    for t in 00000012 00000006 00000005 00000008; do
        echo "$n" | grep -q "^ *Xen .*(0x$t)" ||
            { xk_diag "$1: no Xen note of type 0x$t"; return 1; }
    done
    echo "$n" | grep -A1 '(0x00000006)' | grep -q '78 65 6e 6b 76 6d 2d 6b 69 74 00' ||
        { xk_diag "$1: GUEST_OS is not \"xenkvm-kit\""; return 1; }

    # the PHYS32 entry (a little-endian 32-bit value) lies in a loaded,
    # executable segment
    set -- $(echo "$n" | grep -A1 '(0x00000012)' | sed -n 's/.*description data: *//p')
    entry=$((0x$4$3$2$1))
    ok=0
    while read -r type off va pa fsz msz flags; do
        case $flags in *E*) ;; *) continue;; esac
        [ "$entry" -ge $((va)) ] && [ "$entry" -lt $((va + msz)) ] && ok=1
    done <<EOT
$(readelf -lW "$g" | awk '$1 == "LOAD"')
EOT
    [ "$ok" = 1 ] || { xk_diag "$1: entry $entry is not in an executable PT_LOAD"; return 1; }
    return 0
}

for g in $guests; do
    xk_check "$g: ELF64 PVH image at 1 MiB with Xen notes" check_guest "$g"
done
exit $_xk_failed
