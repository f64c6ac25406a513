#!/bin/bash
# Transactions between clients: two interleaved transactions on one node
# (the second commit gets EAGAIN, its retry succeeds); several processes
# incrementing a counter in transactions (no increment lost); the real
# xenstore-write -- which retries on EAGAIN -- racing with them.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

xk_plan 6
xk_new_run_dir
xs_start || xk_bail "xenstored did not start"

out=$("$XS_CLIENT" race-pair /race/pair)
xk_check "interleaved transactions: second EAGAIN, retry OK ($out)" \
    test "$out" = "first=OK second=EAGAIN retry=OK value=2"

out=$("$XS_CLIENT" race 4 50 /race/counter)
xk_check "4 processes x 50 increments, none lost ($out)" \
    eval '[[ "$out" == "value=200 retries="* ]]'

# Real clients in the race: xenstore-write of two keys is one transaction.
"$XS_CLIENT" race 2 100 /race/mixed >"$XK_RUN/race.out" &
racer=$!
bad=0
for i in $(seq 1 30); do
    if xs_have_real; then
        /usr/bin/xenstore-write /race/real/a "$i" /race/real/b "$i" || bad=1
    else
        "$XS_OURS/xenstore-write" /race/real/a "$i" /race/real/b "$i" || bad=1
    fi
done
wait $racer
xk_check "xenstore-write transactions alongside" test $bad = 0
xk_check "no increment lost with them ($(cat "$XK_RUN/race.out"))" \
    grep -q '^value=200 ' "$XK_RUN/race.out"
a=$("$XS_OURS/xenstore-read" /race/real/a); b=$("$XS_OURS/xenstore-read" /race/real/b)
xk_check "both keys of each transaction together ($a $b)" test "$a" = 30 -a "$b" = 30
xk_check "xenstored exits cleanly" xs_stop
