#!/bin/bash
# Memory and vCPUs of running domains: mem-set followed by the guest's
# balloon (xl list shows the memory it really has), mem-max, vcpu-set
# followed by the guest's hot-plug, vcpu-pin and cpus= reflected in
# vcpu-list and kept in the stored configuration, credit2's weight and cap
# (cpu_weight=, cap=, sched-credit2), sysrq.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 32

xk_check "xen, xenstored and xenconsoled start" xl_start_stack
mem() { xl list "$1" | awk 'NR == 2 { print $3 }'; }

xl create -q "$(xl_cfg pv pvctl)" memory=32 maxmem=48 maxvcpus=2 vcpus=1 2>/dev/null
d=$(xl_domid pv)
xk_check "a pvctl guest with 32 MiB (maxmem 48), 1 of 2 vCPUs online" \
    eval 'xk_wait_for 30 xl_dmesg_has "(d'"$d"') pvctl: ready domid='"$d"' vcpus=2 ram_kb=32768 xenstore=yes" &&
          [ "$(mem pv)" -eq 32 ]'

# ---- memory ------------------------------------------------------------------
xk_check "mem-set 24m" xl mem-set pv 24m
xk_check "... memory/target is 24576 kB" \
    eval '[ "$("$XS_READ" /local/domain/'"$d"'/memory/target)" = 24576 ]'
xk_check "... the guest's balloon gives 8 MiB back: xl list shows 24" \
    xk_wait_for 30 eval '[ "$(mem pv)" -eq 24 ]'
xk_check "... the guest reached the target" \
    xk_wait_for 10 xl_dmesg_has "(d$d) pvctl: balloon target_kb=24576 current_kb=24576"
xk_check "... free_memory grew back" \
    eval 'xl info | awk "/^free_memory/ { exit !(\$3 > 0) }"'
xk_check "mem-set 28672 (kB, the default unit): the balloon repopulates" \
    eval 'xl mem-set pv 28672 && xk_wait_for 30 eval "[ \"\$(mem pv)\" -eq 28 ]"'
xl mem-set pv 64m 2>"$XK_RUN/err"; rc=$?
xk_check "mem-set above the maximum fails, status 1, names mem-max" \
    eval 'test $rc -eq 1 && grep -q "xl mem-max" "$XK_RUN/err"'
xl mem-set pv 12x 2>/dev/null; rc=$?
xk_check "mem-set of a malformed size fails" test $rc -eq 1
xk_check "mem-max 64m: memory/static-max follows" \
    eval 'xl mem-max pv 64m && [ "$("$XS_READ" /local/domain/'"$d"'/memory/static-max)" = 65536 ]'
xl mem-max pv 8m 2>"$XK_RUN/err"; rc=$?
xk_check "mem-max below the target fails" test $rc -eq 1
xk_check "the stored configuration keeps target and maximum (list -l)" \
    eval 'xl list -l pv | grep -q "\"target_memkb\": 28672" && xl list -l pv | grep -q "\"max_memkb\": 65536"'

# ---- vCPUs ---------------------------------------------------------------------
online() { xl vcpu-list pv | awk -v v="$1" '$3 == v { print ($4 == "-") ? "no" : "yes" }'; }
xk_check "vcpu-list: vCPU 1 is offline" test "$(online 1)" = no
xk_check "vcpu-set 2: cpu/1/availability online, the guest brings vCPU 1 up" \
    eval 'xl vcpu-set pv 2 && xk_wait_for 30 eval "[ \"\$(online 1)\" = yes ]" &&
          xl_dmesg_has "(d'"$d"') pvctl: vcpu 1 online"'
xk_check "vcpu-set 1: the guest takes it down" \
    eval 'xl vcpu-set pv 1 && xk_wait_for 30 eval "[ \"\$(online 1)\" = no ]"'
xl vcpu-set pv 3 2>/dev/null; rc=$?
xk_check "vcpu-set above maxvcpus fails" test $rc -eq 1
xk_check "vcpu-pin pv 0 1 -: vcpu-list shows hard affinity 1" \
    eval 'xl vcpu-pin pv 0 1 - && xl vcpu-list pv | awk "\$3 == 0 { exit !(\$7 == \"1\") }"'
xk_check "vcpu-pin pv all 0 0: every vCPU on CPU 0, hard and soft" \
    eval 'xl vcpu-pin pv all 0 0 && [ "$(xl vcpu-list pv | awk "NR > 1 && \$7 == \"0\" && \$9 == \"0\"" | wc -l)" -eq 2 ]'
xk_check "... kept in the stored configuration" \
    eval 'xl list -l pv | python3 -c "import json,sys; b=json.load(sys.stdin)[0][\"config\"][\"b_info\"]; assert b[\"vcpu_hard_affinity\"] == [[0], [0]], b"'
xl vcpu-pin pv 0 99 - 2>/dev/null; rc=$?
xk_check "vcpu-pin to a CPU the host lacks fails" test $rc -eq 1
xk_check "cpus= of the configuration is applied at creation" \
    eval 'xl create -q "$(xl_cfg pin idle)" "cpus = \"1\"" 2>/dev/null &&
          xl vcpu-list pin | awk "\$3 == 0 { exit !(\$7 == \"1\") }"'
xl destroy pin

# ---- scheduling: credit2's weight and cap ----------------------------------------------
sched() { xl sched-credit2 -d "$1" | awk 'NR == 3 { print $3, $4 }'; }
# the nice value of a domain's vCPU 0 thread
vnice() { local t; for t in /proc/$XEN_PID/task/*; do
    [ "$(cat "$t/comm")" = "d$1v0" ] && awk '{ print $19 }' "$t/stat"; done; }
xk_check "cpu_weight=512 cap=20 are applied at creation (sched-credit2 shows them)" \
    eval 'xl create -q "$(xl_cfg busy idle)" "extra = \"busy\"" cpu_weight=512 cap=20 2>/dev/null &&
          [ "$(sched busy)" = "512 20" ]'
db=$(xl_domid busy)
xk_check "... weight 512: its vCPU thread runs at nice -3 (CFS weight 1991 ~ 2 x 1024)" \
    eval '[ "$(vnice '"$db"')" = -3 ]'
xk_wait_for 30 xl_dmesg_has "(d$db) idle: ready busy"
cpu() { xl list busy | awk 'NR == 2 { print $6 }'; }
c0=$(cpu); sleep 3; c1=$(cpu)        # a measuring window, not a wait
xk_diag "a spinning guest capped at 20%: $c0 s -> $c1 s of CPU in 3 s"
xk_check "... cap 20: a spinning guest gets at most about 20% of a CPU (under 0.3 s/s)" \
    awk -v a="$c0" -v b="$c1" 'BEGIN { exit !((b - a) / 3 < 0.3 && b > a) }'
xk_check "sched-credit2 -w 128 -c 0: set and shown; nice 3" \
    eval 'xl sched-credit2 -d busy -w 128 -c 0 && [ "$(sched busy)" = "128 0" ] && [ "$(vnice '"$db"')" = 3 ]'
xk_check "sched-credit2 lists every domain under Pool-0" \
    eval 'xl sched-credit2 | grep -q "^Cpupool Pool-0" && xl sched-credit2 | grep -q "^busy "'
xl sched-credit2 -d busy -c 250 2>/dev/null; rc=$?
xk_check "a cap above 100 x vCPUs is refused" test $rc -ne 0
xl destroy busy

# ---- the guest's clock: rtc_timeoffset= and localtime= ------------------------------
# gettimeofday prints its wall clock right after reading it; a domain's
# line is "(dN) gettimeofday: tv_sec=S ...".
guest_sec() { xl dmesg 2>/dev/null | sed -n "s/.*(d$1) gettimeofday: tv_sec=\([0-9]*\).*/\1/p" | tail -1; }
# clock_check NAME OFFSET [KEY=VALUE...]: the guest's clock is the host's + OFFSET (+-2 s)
clock_check() {
    local name=$1 off=$2 d g h
    shift 2
    xl create -q "$(xl_cfg "$name" gettimeofday)" "$@" 2>/dev/null || return 1
    d=$(xl_domid "$name") || return 1
    xk_wait_for 30 eval '[ -n "$(guest_sec '"$d"')" ]' || return 1
    h=$(date +%s); g=$(guest_sec "$d")
    xk_diag "$name: guest $g, host $h, expected offset $off"
    [ $(( g - h - off )) -le 2 ] && [ $(( h + off - g )) -le 2 ]
}
xk_check "rtc_timeoffset=-3600: the guest's wall clock is an hour behind" \
    clock_check clock1 -3600 rtc_timeoffset=-3600 'on_poweroff = "preserve"'
xk_check "localtime=1 (host TZ two hours east of UTC) plus rtc_timeoffset=-3600: an hour ahead" \
    eval 'TZ=XKT-2 clock_check clock2 3600 rtc_timeoffset=-3600 localtime=1 "on_poweroff = \"preserve\""'
xl destroy clock1 2>/dev/null; xl destroy clock2 2>/dev/null

# ---- sysrq -----------------------------------------------------------------------
xk_check "sysrq: control/sysrq reaches the guest" \
    eval 'xl sysrq pv s && xk_wait_for 30 xl_dmesg_has "(d'"$d"') pvctl: sysrq s"'

xk_check "the stack stops cleanly (no sanitizer report)" xl_stop_stack
exit 0
