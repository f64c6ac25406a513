#!/bin/bash
# Watches across clients: Debian's xenstore-watch sees our writes and ours
# sees theirs, in order; @introduceDomain/@releaseDomain reach a watcher;
# the library's xs_fileno()/poll() path; threads sharing one handle.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

xk_plan 7
xk_new_run_dir
xs_start || xk_bail "xenstored did not start"

real_watch=/usr/bin/xenstore-watch
real_write=/usr/bin/xenstore-write
xs_have_real || { real_watch=$XS_OURS/xenstore-watch; real_write=$XS_OURS/xenstore-write; }

# A watcher is registered once its initial event is out.
lines() { [ "$(wc -l <"$1" 2>/dev/null)" -ge "$2" ]; }

"$real_watch" -n 4 /w >"$XK_RUN/w1" &
w1=$!
xk_wait_for 10 lines "$XK_RUN/w1" 1
"$XS_OURS/xenstore-write" /w/a 1
"$XS_OURS/xenstore-write" /w/b 2
"$XS_OURS/xenstore-rm" /w
wait $w1
xk_check "real xenstore-watch sees our writes in order" \
    test "$(tr '\n' ' ' <"$XK_RUN/w1")" = "/w /w/a /w/b /w "

"$XS_OURS/xenstore-watch" -n 3 /v >"$XK_RUN/w2" &
w2=$!
xk_wait_for 10 lines "$XK_RUN/w2" 1
"$real_write" /v/x 1 /v/y 2          # one transaction: two events
wait $w2
xk_check "our xenstore-watch sees the real client's transaction" \
    test "$(tr '\n' ' ' <"$XK_RUN/w2")" = "/v /v/x /v/y "

"$XS_OURS/xenstore-watch" -n 3 @introduceDomain @releaseDomain >"$XK_RUN/w3" &
w3=$!
xk_wait_for 10 lines "$XK_RUN/w3" 2
"$XS_CLIENT" introduce 7 >/dev/null
"$XS_CLIENT" release 7 >/dev/null
"$XS_CLIENT" introduce 8 >/dev/null     # one too many for -n 3
wait $w3
xk_check "special watches: introduce then release" \
    test "$(sort <"$XK_RUN/w3" | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" = \
         "2@introduceDomain 1@releaseDomain "

"$XS_CLIENT" fileno-watch /f >"$XK_RUN/w4" &
w4=$!
xk_wait_for 10 grep -q ready "$XK_RUN/w4"
"$XS_OURS/xenstore-write" /f/1 x
wait $w4
xk_check "xs_fileno + poll + xs_check_watch" \
    test "$(grep event "$XK_RUN/w4" | tr '\n' ' ')" = "event /f event /f/1 "

out=$("$XS_CLIENT" threads 8 200)
xk_check "8 threads on one handle with a watcher thread ($out)" test "$out" = "errors=0 events=yes"

# Events are not delivered to a client that may not read the node.
"$XS_OURS/xenstore-write" /local/domain/5/dummy x
"$XS_OURS/xenstore-chmod" /local/domain/5 n5
{
    echo "control as-domain 5"
    echo "watch /private p"
    echo "event"
    echo "watch data mine"
    echo "event"
    echo "event"
    echo "quit"
} | "$XS_CLIENT" session >"$XK_RUN/w5" &
w5=$!
xk_wait_for 10 lines "$XK_RUN/w5" 5
"$XS_OURS/xenstore-write" /private/x secret
"$XS_OURS/xenstore-write" /local/domain/5/data/y ok
wait $w5
xk_check "unprivileged watcher: relative paths, nothing it may not read" \
    test "$(tr '\n' '|' <"$XK_RUN/w5")" = "OK|OK|event /private p|OK|event data mine|event data/y mine|"
xk_check "xenstored exits cleanly" xs_stop
