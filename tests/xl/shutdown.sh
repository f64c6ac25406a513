#!/bin/bash
# Ends of domains and the on_* actions their monitors carry out: PV
# shutdown and reboot (the pvctl guest answers control/shutdown), the
# forced fallback (-F) for guests without PV control, -w and -a, restart
# with a new domid, preserve with dump-core, coredump-destroy,
# rename-restart.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 29

xk_check "xen, xenstored and xenconsoled start" xl_start_stack
ready() { xk_wait_for 30 xl_dmesg_has "(d$(xl_domid "$1")) pvctl: ready"; }

# ---- PV shutdown --------------------------------------------------------
xl create -q "$(xl_cfg pv pvctl)"
xk_check "the pvctl guest comes up with XenStore and announces PV control" \
    eval 'ready pv && xl_dmesg_has "xenstore=yes" &&
          [ "$("$XS_READ" /local/domain/$(xl_domid pv)/control/feature-poweroff)" = 1 ]'
d=$(xl_domid pv)
out=$(timeout 60 "$XL_BIN" shutdown -w pv 2>&1); rc=$?
sed 's/^/# /' <<<"$out"
xk_check "shutdown -w: the guest shuts down through control/shutdown; status 0" \
    eval 'test $rc -eq 0 && xl_dmesg_has "(d'"$d"') pvctl: shutdown poweroff"'
xk_check "... -w returned once it was down, and on_poweroff=destroy removed it" \
    eval 'grep -q "Domain '"$d"' has been" <<<"$out" && xk_wait_for 10 xl_gone pv'

# ---- guests without PV control: refused, or forced with -F -------------------
xl create -q "$(xl_cfg idle idle)"
xk_wait_for 20 xl_dmesg_has "(d$(xl_domid idle)) idle: ready"
xl shutdown idle 2>"$XK_RUN/err"; rc=$?
xk_check "shutdown without PV control: refused with a hint at -F, status 1" \
    eval 'test $rc -eq 1 && grep -q "PV control interface not available" "$XK_RUN/err" &&
          grep -q -- "-F" "$XK_RUN/err"'
xk_check "... the domain still runs" eval 'xl list idle | grep -q " -b---- "'
d=$(xl_domid idle)
xk_check "shutdown -F -w -w: forced, waits for the death" \
    eval 'timeout 60 "$XL_BIN" shutdown -F -w -w idle 2>&1 | grep -q "Domain '"$d"' has been destroyed"'
xk_check "... it is gone" xl_gone idle

# ---- reboot: a new domain, same name and UUID --------------------------------------
xl create -q "$(xl_cfg rb pvctl)" 'on_reboot = "restart"'
ready rb
d1=$(xl_domid rb); u1=$(xl list -v rb | awk 'NR == 2 { print $7 }')
out=$(timeout 60 "$XL_BIN" reboot -w rb 2>&1); rc=$?
sed 's/^/# /' <<<"$out"
xk_check "reboot -w: the guest reboots through control/shutdown" \
    eval 'test $rc -eq 0 && xl_dmesg_has "(d'"$d1"') pvctl: shutdown reboot"'
xk_check "... on_reboot=restart: the monitor creates it again with a new domid" \
    xk_wait_for 30 eval 'd2=$(xl_domid rb) && [ -n "$d2" ] && [ "$d2" != '"$d1"' ]'
d2=$(xl_domid rb)
xk_check "... with the same UUID" eval 'xl list -v rb | grep -q " '"$u1"' "'
xk_check "... and it boots" ready rb
xk_check "... the old domain's entries are gone" \
    eval '! "$XS_LS" /local/domain/'"$d1"' >/dev/null 2>&1 && ! ls "$XK_RUN"/userdata-d'"$d1"'.* >/dev/null 2>&1'
xk_check "reboot -F of a domain restarts it too" \
    eval 'xl reboot -F rb 2>/dev/null && xk_wait_for 30 eval "d3=\$(xl_domid rb) && [ -n \"\$d3\" ] && [ \"\$d3\" != '"$d2"' ]"'
xk_check "... still one monitor for it" test "$(xl_monitors)" -eq 1
xl destroy rb

# ---- crash: preserve, then dump-core -----------------------------------------------
xl create -q -p "$(xl_cfg cr crash)" 'on_crash = "preserve"'
d=$(xl_domid cr)
ucr=$(xl list -v cr | awk 'NR == 2 { print $7 }')
xl unpause cr
xk_check "on_crash=preserve: the crashed domain stays, state c" \
    xk_wait_for 30 eval 'xl list '"$d"' 2>/dev/null | grep -q " ---sc- "'
xk_check "... renamed with a time suffix (cr-YYYYMMDDTHHMMZ)" \
    xk_wait_for 10 eval 'xl domname '"$d"' | grep -Eq "^cr-[0-9]{8}T[0-9]{4}Z$"'
xk_check "... with a new UUID, as xl gives a preserved domain" \
    xk_wait_for 10 eval 'u=$(xl list -v '"$d"' | awk "NR == 2 { print \$7 }"); [ -n "$u" ] && [ "$u" != '"$ucr"' ]'
xk_check "... its stored configuration follows it (xl list -l)" \
    xk_wait_for 10 eval 'xl list -l '"$d"' | grep -q "$(xl list -v '"$d"' | awk "NR == 2 { print \$7 }")"'
xk_check "... its monitor has ended" xk_wait_for 10 eval '[ "$(xl_monitors)" -eq 0 ]'
xk_check "dump-core writes a core file" xl dump-core "$d" "$XK_RUN/cr.core"
xk_check "... an ELF core: 16 MiB of RAM from 0 and the vCPU's registers (rip in the image)" \
    python3 - "$XK_RUN/cr.core" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:4] == b"\x7fELF" and b[4] == 2, "not ELF64"
e_type, e_machine = struct.unpack_from("<HH", b, 16)
assert e_type == 4 and e_machine == 62, (e_type, e_machine)      # ET_CORE, x86-64
phoff, = struct.unpack_from("<Q", b, 32)
phnum, = struct.unpack_from("<H", b, 56)
loads, note = [], None
for i in range(phnum):
    p_type, p_flags, p_off, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
        struct.unpack_from("<IIQQQQQQ", b, phoff + 56 * i)
    if p_type == 1:
        loads.append((p_paddr, p_filesz, p_off))
    elif p_type == 4:
        note = (p_off, p_filesz)
assert (0, 16 << 20) == loads[0][:2], loads
off, end = note[0], note[0] + note[1]
found = False
while off < end:
    namesz, descsz, ntype = struct.unpack_from("<III", b, off)
    name = b[off + 12: off + 12 + namesz - 1]
    desc = off + 12 + ((namesz + 3) & ~3)
    if name == b"CORE" and ntype == 1:                 # NT_PRSTATUS
        rip, = struct.unpack_from("<Q", b, desc + 112 + 16 * 8)
        assert 0x100000 <= rip < 0x200000, hex(rip)     # in the guest image
        found = True
    off = desc + ((descsz + 3) & ~3)
assert found, "no NT_PRSTATUS"
# The guest's image is in the dump: its ELF magic at 1 MiB.
assert b[loads[0][2] + 0x100000: loads[0][2] + 0x100000 + 1] != b"", "short"
PY
xl destroy "$d"
xk_check "on_crash=coredump-destroy: a core in the dump directory, the domain gone" \
    eval 'xl create -q "$(xl_cfg cd crash)" "on_crash = \"coredump-destroy\"" &&
          xk_wait_for 30 eval "xl_gone cd && [ -s \"$XEN_DUMP_DIR/cd\" ]"'

# ---- rename-restart --------------------------------------------------------------------
xl create -q "$(xl_cfg rr idle)" 'on_poweroff = "rename-restart"'
d1=$(xl_domid rr)
xk_wait_for 20 xl_dmesg_has "(d$d1) idle: ready"
xl shutdown -F rr 2>/dev/null
xk_check "on_poweroff=rename-restart: the old domain stays under a new name" \
    xk_wait_for 30 eval 'xl domname '"$d1"' 2>/dev/null | grep -q "^rr-"'
xk_check "... and a new rr runs" xk_wait_for 30 eval 'd=$(xl_domid rr) && [ "$d" != '"$d1"' ]'
xk_check "... each with its own /vm entry" \
    eval '[ "$("$XS_READ" /local/domain/'"$d1"'/vm)" != "$("$XS_READ" /local/domain/$(xl_domid rr)/vm)" ]'
xl destroy "$d1"; xl destroy rr

# ---- -a ---------------------------------------------------------------------------------
xl create -q "$(xl_cfg a1 idle)"; xl create -q "$(xl_cfg a2 idle)"
xk_check "shutdown -a -F -w: every guest domain goes" \
    eval 'timeout 60 "$XL_BIN" shutdown -a -F -w >/dev/null 2>&1 && xl_gone a1 && xl_gone a2'
xk_check "... Domain-0 stays" eval 'xl list 0 >/dev/null'

xk_check "the stack stops cleanly (no sanitizer report)" xl_stop_stack
exit 0
