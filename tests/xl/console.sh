#!/bin/bash
# xl console: the PV console through xenconsoled's pty (output and input),
# the guest's console_io lines, a session that survives a restart of
# xenconsoled, Ctrl-] to detach, the end of the domain ending it, and
# -t serial for an hvm domain.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
xk_need_kvm
xk_new_run_dir
xk_plan 18

xk_check "xen, xenstored and xenconsoled start" xl_start_stack

xl create -q "$(xl_cfg tk pvctl)" 'cmdline = "tick_ms=100"'
d=$(xl_domid tk)
xk_wait_for 30 xl_dmesg_has "(d$d) pvctl: ready"

# A console session fed from a FIFO, its output in a file.
mkfifo "$XK_RUN/in"
exec 7<>"$XK_RUN/in"
"$XL_BIN" console tk <"$XK_RUN/in" >"$XK_RUN/out" 2>"$XK_RUN/err" &
cpid=$!
xk_at_exit "kill $cpid"
last_tick() { tr -d '\r' <"$XK_RUN/out" | sed -n 's/^pvctl: tick \([0-9]*\)$/\1/p' | tail -1; }
xk_check "console: the ticks come through the PV console" \
    xk_wait_for 20 eval '[ -n "$(last_tick)" ]'
printf 'hello console\r' >&7
xk_check "... what is typed reaches the guest (it echoes it)" \
    xk_wait_for 20 grep -q "pvctl: echo hello console" "$XK_RUN/out"

# xenconsoled restarts: the session picks up the new pty.
kill "$(cat "$XK_RUN/xenconsoled.pid")"
xk_wait_for 10 eval '! "$XS_READ" /local/domain/'"$d"'/console/tty >/dev/null 2>&1'
t0=$(last_tick)
xk_check "xenconsoled restarts" xl_start_xenconsoled
xk_check "... the same console session shows new ticks" \
    xk_wait_for 20 eval '[ "$(last_tick)" -gt $((t0 + 3)) ]'
printf 'after restart\r' >&7
xk_check "... and input still reaches the guest" \
    xk_wait_for 20 grep -q "pvctl: echo after restart" "$XK_RUN/out"
printf '\035' >&7
xk_check "Ctrl-] detaches: the console ends with status 0" \
    eval 'xk_wait_for 10 eval "! kill -0 $cpid 2>/dev/null" && wait $cpid'
xk_check "... and the domain runs on" eval 'xl list tk | grep -q " -b---- \| r----- "'

# The end of the domain ends a session.
"$XL_BIN" console tk <"$XK_RUN/in" >"$XK_RUN/out2" 2>&1 &
cpid=$!
xk_at_exit "kill $cpid"
xk_wait_for 20 grep -q "pvctl: tick" "$XK_RUN/out2"      # it is attached
xl destroy tk
xk_check "destroying the domain ends its console session (status 0)" \
    eval 'xk_wait_for 10 eval "! kill -0 $cpid 2>/dev/null" && wait $cpid'

xl console -t serial "$(xl create -q "$(xl_cfg idle idle)" >/dev/null; echo idle)" \
    </dev/null >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "console -t serial of a pvh domain: refused, status 1" \
    eval 'test $rc -eq 1 && grep -q "no emulated serial port" "$XK_RUN/err"'
xl destroy idle

# hvm: the firmware's console_io and UART output are its serial console,
# xl's default for hvm.
cat >"$XK_RUN/hvm.cfg" <<CFG
name = "hvmhello"
type = "hvm"
firmware_override = "$GUESTS/hello"
memory = 16
serial = [ "pty" ]
CFG
out=$(timeout 30 "$XL_BIN" create -c "$XK_RUN/hvm.cfg" </dev/null 2>/dev/null); rc=$?
sed 's/^/# /' <<<"$out"
xk_check "create -c of an hvm domain attaches its serial console" \
    eval 'test $rc -eq 0 && grep -q "^Hello from xenkvm guest" <<<"$out"'

# hvm serial input: what is typed on `xl console -t serial` reaches the
# emulated UART's receive side.
cat >"$XK_RUN/secho.cfg" <<CFG
name = "secho"
type = "hvm"
firmware_override = "$GUESTS/serial-echo"
memory = 16
CFG
xl create -q "$XK_RUN/secho.cfg" 2>/dev/null
ds=$(xl_domid secho)
xk_check "an hvm guest polling its UART is up" \
    xk_wait_for 30 xl_dmesg_has "(d$ds) serial-echo: ready"
out=$(printf 'ping\nquit\n' | timeout 30 "$XL_BIN" console -t serial secho 2>&1); rc=$?
sed 's/^/# /' <<<"$out"
xk_check "console -t serial: typed lines reach the guest's UART, its answers come back" \
    eval 'grep -q "serial-echo: got ping" <<<"$out" && grep -q "serial-echo: bye" <<<"$out"'
xk_check "... and the console ends with the domain" \
    eval 'test $rc -eq 0 && xk_wait_for 10 xl_gone secho'

# xenconsoled gives the emulated UART a pty of its own (serial/0/tty).
xl create -q "$XK_RUN/secho.cfg" 2>/dev/null
ds=$(xl_domid secho)
xk_check "xenconsoled announces the hvm domain's serial pty in serial/0/tty" \
    xk_wait_for 30 eval 'stty=$("$XS_READ" /local/domain/'"$ds"'/serial/0/tty 2>/dev/null) && [ -c "$stty" ]'
stty=$("$XS_READ" /local/domain/$ds/serial/0/tty 2>/dev/null)
xk_wait_for 30 xl_dmesg_has "(d$ds) serial-echo: ready"
xk_check "typed on that pty, a line reaches the UART and the answer comes back on it" \
    timeout 30 python3 - "$stty" <<'PY'
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
os.write(fd, b"ping\r")
got, end = b"", time.time() + 20
while b"got ping" not in got and time.time() < end:
    if select.select([fd], [], [], 1)[0]:
        got += os.read(fd, 4096)
print("# " + got.decode(errors="replace").replace("\n", "\n# "))
os.write(fd, b"quit\r")
sys.exit(0 if b"serial-echo: got ping" in got else 1)
PY
xk_check "... the domain ends and its serial/0/tty goes" \
    xk_wait_for 30 eval 'xl_gone secho && ! "$XS_READ" /local/domain/'"$ds"'/serial/0/tty >/dev/null 2>&1'

xk_check "the stack stops cleanly (no sanitizer report)" xl_stop_stack
exit 0
