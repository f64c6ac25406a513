#!/bin/bash
# Quotas end to end: a domain (a connection that became domain 5 with
# CONTROL as-domain) fills its node quota; the refusal is ENOSPC, it is
# logged once with the domain and the limit however often it happens, and
# CONTROL quota/memreport show the usage and the count.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

xk_plan 8
xk_new_run_dir
xs_start --entry-nb 10 --watch-nb 3 || xk_bail "xenstored did not start"
ctl="$XS_OURS/xenstore-control"

"$XS_OURS/xenstore-write" /local/domain/5/name guest5
"$XS_OURS/xenstore-chmod" /local/domain/5 n5

out=$("$XS_CLIENT" fill 5 data 20)
# its home (owned by 5 through the chmod), data and 8 entries make 10
xk_check "domain 5 refused at its node quota ($out)" test "$out" = "wrote 8 ENOSPC"
n=$(grep -c 'domain 5: nodes quota of 10 reached' "$XK_RUN/xenstored.log")
xk_check "the refusal is logged once, not 12 times ($n)" test "$n" = 1
xk_check "the log line says what to do" \
    grep -q 'later refusals of this kind are only counted (CONTROL quota 5)' "$XK_RUN/xenstored.log"

report=$("$ctl" quota 5)
printf '%s\n' "$report" | head -4 | sed 's/^/# /'
xk_check "CONTROL quota 5: usage and refusals" \
    eval 'printf "%s\n" "$report" | grep -q "nodes *: *10 (max *10, quota *10, refused 12)"'
xk_check "CONTROL quota: the limits" \
    eval '"$ctl" quota | grep -q "^nodes *: *10 "'
xk_check "CONTROL memreport: refusals in total" \
    eval '"$ctl" memreport | grep -q "refusals: nodes 12 "'
# dom0 raises the quota at run time; the domain can go on.
"$ctl" quota set nodes 30 >/dev/null
out=$("$XS_CLIENT" fill 5 more 5)
xk_check "after CONTROL quota set nodes 30 ($out)" test "$out" = "wrote 5 OK"
xk_check "xenstored exits cleanly" xs_stop
