#!/bin/bash
# State across restarts: SIGTERM writes the state file, the next xenstored
# resumes from it (nodes, permissions, introduced domains, quotas set at
# run time); a libxenstore client reconnects by itself and its watch fires
# again.  CONTROL live-update re-executes xenstored keeping even the open
# connections: the same client connection goes on, with its watches.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

xk_plan 12
xk_new_run_dir
xs_start || xk_bail "xenstored did not start"
xs="$XS_OURS"

"$xs/xenstore-write" /keep/a 1 /keep/b "two words"
"$xs/xenstore-chmod" /keep/b n3 r4
"$XS_CLIENT" introduce 3 >/dev/null
"$xs/xenstore-control" quota set watches 77 >/dev/null

# A client with a watch, across the restart.
coproc SESSION { "$XS_CLIENT" session 2>&1; }
echo "watch /keep k" >&"${SESSION[1]}"
read -r -t 10 l1 <&"${SESSION[0]}"; read -r -t 10 l2 <&"${SESSION[0]}"
echo "event" >&"${SESSION[1]}"; read -r -t 10 l3 <&"${SESSION[0]}"
xk_check "watch set before the restart ($l1, $l3)" test "$l1 $l3" = "OK event /keep k"

xs_stop
xk_check "SIGTERM saved the state" test -s "$XK_RUN/xenstored.state"
xs_start || xk_bail "xenstored did not restart"
xk_check "state restored (log)" grep -q 'state restored from' "$XK_RUN/xenstored.log"
xk_check "nodes back" test "$("$xs/xenstore-read" /keep/a /keep/b | tr '\n' '|')" = "1|two words|"
xk_check "permissions back" test "$("$xs/xenstore-ls" -p /keep | grep '^b' | sed 's/.*(//')" = "n3,r4)"
xk_check "introduced domain back" eval '"$XS_CLIENT" control quota 3 | grep -q "(introduced)"'
xk_check "run-time quota back" eval '"$xs/xenstore-control" quota | grep -q "^watches *: *77"'

# The client reconnected: its watch fired again, a change fires it.
echo "event" >&"${SESSION[1]}"; read -r -t 15 l4 <&"${SESSION[0]}"
"$xs/xenstore-write" /keep/c 3
echo "event" >&"${SESSION[1]}"; read -r -t 15 l5 <&"${SESSION[0]}"
xk_check "the client's watch fired again after the restart ($l4; $l5)" \
    test "$l4|$l5" = "event /keep k|event /keep/c k"

# Live update: same pid, same connection, watches kept.
pid_before=$XS_PID
echo "control live-update -s" >&"${SESSION[1]}"; read -r -t 15 l6 <&"${SESSION[0]}"
xk_wait_for 20 grep -q 'live update complete' "$XK_RUN/xenstored.log"
echo "read /keep/a" >&"${SESSION[1]}"; read -r -t 15 l7 <&"${SESSION[0]}"
xk_check "live update: the same connection goes on ($l6, $l7)" test "$l6 $l7" = "OK 1"
"$xs/xenstore-write" /keep/d 4
echo "event" >&"${SESSION[1]}"; read -r -t 15 l8 <&"${SESSION[0]}"
echo "event" >&"${SESSION[1]}"; read -r -t 15 l9 <&"${SESSION[0]}"
xk_check "live update: the watch is kept ($l8; $l9)" \
    eval '[[ "$l8|$l9" == *"event /keep/d k"* ]]'
xk_check "live update: same process ($pid_before)" \
    eval 'kill -0 $pid_before && grep -q "live update: executing" "$XK_RUN/xenstored.log"'
echo quit >&"${SESSION[1]}"
wait "$SESSION_PID" 2>/dev/null
xk_check "xenstored exits cleanly" xs_stop
