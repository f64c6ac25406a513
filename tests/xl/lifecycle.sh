#!/bin/bash
# xl create / destroy and the commands around them, on a real private
# stack (xen, xenstored, xenconsoled): create -c, validation before
# anything is made, pause/unpause, rename, list (table, -v, -l), info,
# dmesg, uptime, domid/domname, top, and destroy leaving nothing behind.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 46

xk_check "xen, xenstored and xenconsoled start" xl_start_stack

# ---- create -c sees the guest's output, and the domain goes -----------
cfg=$(xl_cfg hello hello)
out=$(timeout 30 "$XL_BIN" create -c "$cfg" 2>"$XK_RUN/err" </dev/null); rc=$?
sed "s/^/# /" <<<"$out"
d=$(sed -n 's/^Hello from xenkvm guest, domid \([0-9]*\).*/\1/p' <<<"$out")
xk_check "create -c shows the guest's first line and returns 0 once it is gone" \
    test $rc -eq 0 -a -n "$d"
xk_check "... the poweroff destroyed it (on_poweroff=destroy)" xl_gone hello
xk_check "... nothing of it is left in XenStore" \
    eval '! "$XS_LS" /local/domain/'"$d"' >/dev/null 2>&1 && ! "$XS_LS" /libxl/'"$d"' >/dev/null 2>&1'
xk_check "... nor its stored configuration" eval '! ls "$XK_RUN"/userdata-d'"$d"'.* >/dev/null 2>&1'
xk_check "... and its monitor has ended" xk_wait_for 10 eval '[ "$(xl_monitors)" -eq 0 ]'

# ---- a domain that stays ------------------------------------------------
cfg=$(xl_cfg idle idle)
xk_check "create idle returns at once" xl create -q "$cfg"
xk_check "... it runs and blocks in hlt (state -b----)" \
    xk_wait_for 20 eval 'xl list idle | grep -q "^idle  *[0-9][0-9]*  *16  *1  *-b----"'
d=$(xl_domid idle)
xk_check "... its XenStore home holds name, domid, memory, control, console, store" \
    eval '"$XS_LS" /local/domain/'"$d"' | grep -q "^name = \"idle\"" &&
          [ "$("$XS_READ" /local/domain/'"$d"'/memory/target)" = 16384 ] &&
          "$XS_READ" /local/domain/'"$d"'/control/shutdown >/dev/null &&
          [ "$("$XS_READ" /local/domain/'"$d"'/console/limit)" = 1048576 ] &&
          "$XS_READ" /local/domain/'"$d"'/store/port >/dev/null'
xk_check "... xenconsoled gave it a tty" \
    xk_wait_for 10 eval '"$XS_READ" /local/domain/'"$d"'/console/tty | grep -q /dev/pts/'
xk_check "... its monitor waits for it" test "$(xl_monitors)" -eq 1

# ---- validation comes first: nothing is made when it fails -------------
nodes() { "$XS_LS" / | wc -l; }
n0=$(nodes); l0=$(xl list | wc -l)
xl create -q "$cfg" 2>"$XK_RUN/err"; rc=$?
sed "s/^/# /" "$XK_RUN/err"
xk_check "a second domain called idle is refused, status 1" \
    eval 'test $rc -eq 1 && grep -q "already called \"idle\"" "$XK_RUN/err"'
uuid=$(xl list -v idle | awk 'NR == 2 { print $7 }')
xl create -q "$(xl_cfg twin idle)" "uuid=\"$uuid\"" 2>"$XK_RUN/err"; rc=$?
xk_check "a second domain with idle's UUID is refused" \
    eval 'test $rc -eq 1 && grep -q "already the UUID of domain \"idle\"" "$XK_RUN/err"'
printf 'not an elf\n' >"$XK_RUN/junk"
xl create -q "$(xl_cfg junk junk)" kernel="\"$XK_RUN/junk\"" 2>"$XK_RUN/err"; rc=$?
xk_check "a kernel that is no ELF image is refused with its path" \
    eval 'test $rc -eq 1 && grep -q "kernel $XK_RUN/junk: not an ELF image" "$XK_RUN/err"'
xl create -q "$(xl_cfg nopvh idle)" kernel='"/bin/sh"' 2>"$XK_RUN/err"; rc=$?
sed "s/^/# /" "$XK_RUN/err"
xk_check "an ELF without a PVH entry is refused" \
    eval 'test $rc -eq 1 && grep -q "kernel /bin/sh: " "$XK_RUN/err"'
xl create -q "$(xl_cfg big idle)" memory=8192 2>"$XK_RUN/err"; rc=$?
sed "s/^/# /" "$XK_RUN/err"
xk_check "more memory than the hypervisor has free is refused, with both figures" \
    eval 'test $rc -eq 1 && grep -q "needs 8192 MiB of memory but the hypervisor has only" "$XK_RUN/err"'
xk_check "... none of them left a domain, a XenStore node or a file" \
    eval '[ "$(xl list | wc -l)" -eq '"$l0"' ] && [ "$(nodes)" -eq '"$n0"' ] &&
          [ "$(ls "$XK_RUN"/userdata-* | wc -l)" -eq 1 ]'

# ---- pause, unpause -------------------------------------------------------
xk_check "pause: state p" eval 'xl pause idle && xl list idle | grep -q " --p--- "'
xk_check "unpause: running again" \
    eval 'xl unpause idle && xk_wait_for 10 eval "xl list idle | grep -q \" -b---- \""'

# ---- names --------------------------------------------------------------------
xk_check "domid and domname agree" eval '[ "$(xl domname "$(xl domid idle)")" = idle ]'
xl domid nosuch >/dev/null 2>&1; rc=$?
xk_check "domid of an unknown name: status 1" test $rc -eq 1
xl pause nosuch 2>"$XK_RUN/err"; rc=$?
xk_check "an unknown domain: 'is an invalid domain identifier', status 1" \
    eval 'test $rc -eq 1 && grep -q "nosuch is an invalid domain identifier" "$XK_RUN/err"'
xk_check "rename idle idle2" xl rename idle idle2
vm=$("$XS_READ" /local/domain/$d/vm)
xk_check "... xl list, XenStore and /vm say idle2" \
    eval 'xl list idle2 >/dev/null && [ "$("$XS_READ" '"$vm"'/name)" = idle2 ]'
xk_check "... and so does the stored configuration (list -l)" \
    eval 'xl list -l idle2 | grep -q "\"name\": \"idle2\""'
xl create -q "$(xl_cfg other idle)"
xl rename other idle2 2>"$XK_RUN/err"; rc=$?
xk_check "renaming to a name in use fails" eval 'test $rc -eq 1 && xl list other >/dev/null'
xl rename other 'bad name' 2>/dev/null; rc=$?
xk_check "renaming to an unusable name fails" test $rc -eq 1
xl destroy other

# ---- list ----------------------------------------------------------------------
out=$(xl list)
xk_check "list: Xen's header and a Domain-0 row" \
    eval 'head -1 <<<"$out" | grep -q "^Name  *ID   Mem VCPUs      State   Time(s)$" &&
          grep -q "^Domain-0  *0 " <<<"$out"'
uuid=${vm#/vm/}
xk_check "list -v shows the UUID" eval 'xl list -v idle2 | grep -q " $uuid "'
xk_check "list -Z shows a security label column" eval 'xl list -Z | head -1 | grep -q "Security Label"'
# -l: the stored configuration is the dry run's, with the UUID filled in.
xl list -l idle2 >"$XK_RUN/l.json"
xl -N create "$(xl_cfg idle2 idle)" >"$XK_RUN/n.json" 2>/dev/null
xk_check "list -l: the JSON equals the configuration (-N create), UUID filled in" \
    python3 - "$XK_RUN/l.json" "$XK_RUN/n.json" "$uuid" "$d" <<'PY'
import json, sys
l = json.load(open(sys.argv[1])); n = json.load(open(sys.argv[2]))
assert isinstance(l, list) and len(l) == 1, l
got = l[0]
assert got["domid"] == int(sys.argv[4]), got["domid"]
assert got["config"]["c_info"].pop("uuid") == sys.argv[3]
assert got["config"] == n["config"], (got["config"], n["config"])
PY
xk_check "list -l of every domain is one JSON array, Domain-0 first" \
    eval 'xl list -l | python3 -c "import json,sys; a=json.load(sys.stdin); assert a[0][\"domid\"] == 0 and len(a) == 2"'

# ---- host -----------------------------------------------------------------------
out=$(xl info)
xk_check "info: total and free memory, in xl's name : value format" \
    eval 'grep -Eq "^total_memory +: [0-9]+$" <<<"$out" && grep -Eq "^free_memory +: [0-9]+$" <<<"$out" &&
          grep -q "^xen_version            : 4.17" <<<"$out"'
free1=$(awk '/^free_memory/ { print $3 }' <<<"$out")
xl create -q "$(xl_cfg mem64 idle)" memory=64
free2=$(xl info | awk '/^free_memory/ { print $3 }')
xk_check "... free_memory drops by a 64 MiB domain's memory" test $((free1 - free2)) -ge 64
xl destroy mem64
xk_check "dmesg shows the guests' lines" xl_dmesg_has "(d$d) idle: ready"
xk_check "dmesg -c prints, then clears" \
    eval 'xl dmesg -c | grep -q "(d'"$d"') idle: ready" && ! xl_dmesg_has "(d'"$d"') idle: ready"'
xk_check "debug-keys q dumps the domains into dmesg" \
    eval 'xl debug-keys q && xl dmesg | grep -q "d'"$d"'v0: "'
xk_check "debug-keys without keys is a usage error (exit 2)" \
    eval 'xl debug-keys >/dev/null 2>&1; test $? -eq 2'
xk_check "uptime lists the domain" eval 'xl uptime | grep -Eq "^idle2 +'"$d"' +[ 0-9]+:[0-9]{2}:[0-9]{2}$"'
out=$(xl top -b -i 2 -d 1)
xk_check "top -b: two reports with the domain's row" \
    eval '[ "$(grep -c "^xentop - " <<<"$out")" -eq 2 ] && grep -Eq "^ +idle2 +--b--- " <<<"$out"'

# ---- destroy -------------------------------------------------------------------
xk_check "destroy" xl destroy idle2
xk_check "... the domain is gone from xen" xl_gone "$d"
xk_check "... from XenStore (home, /vm, /libxl) and the run directory" \
    eval '! "$XS_LS" /local/domain/'"$d"' >/dev/null 2>&1 && ! "$XS_LS" '"$vm"' >/dev/null 2>&1 &&
          ! ls "$XK_RUN"/userdata-* >/dev/null 2>&1'
xk_check "... and its monitor ended" xk_wait_for 10 eval '[ "$(xl_monitors)" -eq 0 ]'
xl destroy idle2 2>/dev/null; rc=$?
xk_check "destroying it again: status 1" test $rc -eq 1

xk_check "the stack stops cleanly (no sanitizer report)" xl_stop_stack
exit 0
