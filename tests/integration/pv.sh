#!/bin/bash
# The PV interfaces, proven by guests: time, timers, SMP, event channels,
# grant tables, and the PV console drained by a dom0 reader (xenconsoled).
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 32
XK_PAIR="$XK_TOP_BUILDDIR/tests/xk-pair"

xk_check "xen starts" xk_start_xen

# gettimeofday: the guest's wall clock (shared info + vcpu_time_info)
# agrees with the host's.
out=$(xk_launch "$GUESTS/gettimeofday" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
host=$(date +%s)
gsec=$(sed -n 's/.*gettimeofday: tv_sec=\([0-9]*\).*/\1/p' <<<"$out" | head -1)
xk_check "gettimeofday runs to completion" test $rc -eq 0
xk_check "the guest's wall clock is within 2 s of the host's" \
    test -n "$gsec" -a $(( host > gsec ? host - gsec : gsec - host )) -le 2

# The guest waits for its timers in a loop that keeps interrupts disabled
# most of the time; where the host delivers interrupt-window exits late
# (nested KVM), delivery waits for xen's periodic re-check, so allow a
# generous slack there.
targs=""
[ -d /sys/module/kvm_pvm ] && targs="slack_ms=100 period_ms=100 delay_ms=50"
out=$(xk_launch -t 120 -c "$targs" "$GUESTS/timer" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "single-shot, periodic and set_timer_op timers fire within tolerance" test $rc -eq 0

out=$(xk_launch -v 4 "$GUESTS/smp" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "smp: 4 vCPUs up with VCPUOP_initialise/up, IPI round robin" test $rc -eq 0
xk_check "... every vCPU reported" test "$(grep -c 'smp: vcpu [0-9] up' <<<"$out")" -eq 4
out=$(xk_launch -v 2 -c "smp=vcpuop32" "$GUESTS/smp" 2>&1); rc=$?
xk_check "smp: a vCPU started in 32-bit mode (vcpu_hvm_context x86_32)" test $rc -eq 0
out=$(xk_launch -v 2 -c "smp=sipi" "$GUESTS/smp" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "smp: a vCPU started with INIT/SIPI through the LAPIC" test $rc -eq 0

out=$(xk_launch -t 120 -c "max_port=1023" "$GUESTS/evtchn-flood" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "evtchn-flood: ports exhausted at the domain's limit, closed, rebound, flooded" \
    test $rc -eq 0
xk_check "xen is healthy after the flood" xk_launch -q "$GUESTS/hello"

out=$("$XK_PAIR" -t 120 "$GUESTS/evtchn-pingpong" "$GUESTS/evtchn-pingpong" 2>&1); rc=$?
echo "$out" | tail -n 6 | sed 's/^/# /'
xk_check "evtchn-pingpong between two domains" test $rc -eq 0

# The FIFO event-channel ABI, as Linux uses it (a pending event stays
# masked and EVTCHNOP_unmask clears MASKED).
out=$(xk_launch -t 120 -c "evtchn_abi=fifo max_port=1023" "$GUESTS/evtchn-flood" 2>&1); rc=$?
echo "$out" | tail -n 3 | sed 's/^/# /'
xk_check "evtchn-flood with FIFO event channels" test $rc -eq 0
xk_check "... the guest really used FIFO" grep -q 'OK.*abi=fifo' <<<"$out"
out=$("$XK_PAIR" -t 120 -S "evtchn_abi=fifo" -C "evtchn_abi=fifo" \
      "$GUESTS/evtchn-pingpong" "$GUESTS/evtchn-pingpong" 2>&1); rc=$?
echo "$out" | tail -n 4 | sed 's/^/# /'
xk_check "evtchn-pingpong with FIFO event channels on both sides" test $rc -eq 0
out=$(xk_launch -v 4 -c "evtchn_abi=fifo" "$GUESTS/smp" 2>&1); rc=$?
xk_check "smp IPIs with FIFO event channels" test $rc -eq 0
# A multicall whose second call blocks: each side sends and then polls
# in one hypercall, the poll woken by the peer's answer.
out=$("$XK_PAIR" -t 120 -S "lean=poll rounds=200" -C "lean=poll rounds=200" \
      "$GUESTS/bench-evtchn" "$GUESTS/bench-evtchn" 2>&1); rc=$?
echo "$out" | grep 'bench-evtchn: \(rounds\|FAIL\)' | sed 's/^/# /'
xk_check "ping-pong through multicalls of EVTCHNOP_send and SCHEDOP_poll" \
    grep -q 'bench-evtchn: rounds=200 .*lean=poll' <<<"$out"

out=$("$XK_PAIR" -t 120 "$GUESTS/gnttab-share" "$GUESTS/gnttab-share" 2>&1); rc=$?
echo "$out" | tail -n 6 | sed 's/^/# /'
xk_check "gnttab-share: A grants, B maps and writes, both verify, B unmaps, A revokes" \
    test $rc -eq 0
xk_check "... the granter saw GTF_reading|GTF_writing while mapped" \
    grep -q 'flags_while_mapped=0x19' <<<"$out"

out=$("$XK_PAIR" -t 120 -C "map_at=ram" "$GUESTS/gnttab-share" "$GUESTS/gnttab-share" 2>&1); rc=$?
xk_check "gnttab-share mapping over RAM" test $rc -eq 0

# A mapper that dies with its mapping live: xen unmaps it when the domain
# is destroyed, so the granter sees its entry released and can revoke.
out=$("$XK_PAIR" -t 120 -d -C "die_mapped=1" "$GUESTS/gnttab-share" "$GUESTS/gnttab-share" 2>&1); rc=$?
echo "$out" | tail -n 6 | sed 's/^/# /'
xk_check "a mapper that dies with a live mapping is cleaned; the granter revokes" \
    test $rc -eq 0
xk_check "... the mapper really left it mapped" grep -q 'client leaves gref=' <<<"$out"
out=$("$XK_PAIR" -t 120 -d -C "die_mapped=1 map_at=ram" "$GUESTS/gnttab-share" "$GUESTS/gnttab-share" 2>&1); rc=$?
xk_check "... also when the mapping replaced one of its RAM pages" test $rc -eq 0
xk_check "xen is healthy after the dead mappers" xk_launch -q "$GUESTS/hello"

out=$("$XK_PAIR" -t 120 "$GUESTS/gnttab-revoke" "$GUESTS/gnttab-revoke" 2>&1); rc=$?
echo "$out" | tail -n 6 | sed 's/^/# /'
xk_check "gnttab-revoke: a mapped grant cannot be revoked; unmapped it can" test $rc -eq 0

# VIRQ_DEBUG: debug key 'q' dumps the domains and notifies every vCPU
# that bound it.
xk_launch -q -r "$GUESTS/virq-debug" >/dev/null
xk_check "virq-debug: the guest bound VIRQ_DEBUG" \
    xk_wait_for 30 eval 'xk_launch -D | grep -q "virq-debug: ready port="'
xk_check "debug key 'q' is accepted" xk_launch -k q
xk_check "... the guest got VIRQ_DEBUG" \
    xk_wait_for 30 eval 'xk_launch -D | grep -q "virq-debug: OK port="'
out=$(xk_launch -k hz -D 2>&1)
xk_check "debug key 'h' lists the keys; an unknown key is reported" \
    eval 'grep -q "debug keys:" <<<"$out" && grep -q "debug key .z.: no such key" <<<"$out"'

# The PV console: xenstored and xenconsoled serve it; the guest's output
# through its ring lands in its console log.
xk_check "xenstored starts" "$XK_TOP_BUILDDIR/xenstored/xenstored" --run-dir "$XK_RUN"
xk_at_exit "kill \$(cat $XK_RUN/xenstored.pid)"
xk_check "xenconsoled starts" "$XK_TOP_BUILDDIR/backends/xenconsoled" --run-dir "$XK_RUN" \
    --log guest --log-dir "$XK_RUN/consoles" -L "$XK_RUN/xenconsoled.log"
xk_at_exit "kill \$(cat $XK_RUN/xenconsoled.pid)"
out=$(xk_launch -x "$GUESTS/console" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
xk_check "console: output through the PV ring, drained by xenconsoled" \
    test $rc -eq 0
xk_check "... and every line is in the guest's console log" \
    xk_wait_for 10 eval 'grep -q "console: ring done lines=20" "$XK_RUN"/consoles/guest-*.log'

kill "$(cat "$XK_RUN/xenconsoled.pid")" "$(cat "$XK_RUN/xenstored.pid")" 2>/dev/null
xk_stop_xen >/dev/null
exit 0
