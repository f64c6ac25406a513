#!/bin/bash
# Our xenstore-* commands and Debian's (the real libxenstore, through
# XENSTORED_PATH) against our xenstored: the same script of commands gives
# the same output, error messages and exit status.  Both sets are run
# under the same names (symlinks in private bin directories) so that
# argv[0] in usage messages is the same.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

xs_have_real || xk_skip_all "Debian's xenstore-utils are not installed"
xk_new_run_dir
xs_start || xk_bail "xenstored did not start"

cmds="read write rm exists list ls chmod watch"
mkdir -p "$XK_RUN/real" "$XK_RUN/ours"
for c in $cmds; do
    ln -s "/usr/bin/xenstore-$c" "$XK_RUN/real/xenstore-$c"
    ln -s "$XS_OURS/xenstore-$c" "$XK_RUN/ours/xenstore-$c"
done
ln -s /usr/bin/xenstore "$XK_RUN/real/xenstore"
ln -s "$XS_OURS/xenstore" "$XK_RUN/ours/xenstore"

# A fixture written by the real tools; each command of the script below
# is run by both sets, writes undone between them by restoring the
# fixture.
fixture() {
    PATH="$XK_RUN/real:$PATH" xenstore-rm /t 2>/dev/null
    PATH="$XK_RUN/real:$PATH" xenstore-write /t/short a /t/longer-name-here "a longer value" \
        /t/esc 'tab\there\001\x7f\\' /t/empty "" /t/deep/er/est 1 \
        /t/big "$(head -c 150 /dev/zero | tr '\0' v)"
    PATH="$XK_RUN/real:$PATH" xenstore-chmod /t/deep r0 b7
}

run_both() {   # run_both COMMAND...: one TAP line
    local out_real out_ours rc_real rc_ours
    fixture
    out_real=$(cd "$XK_RUN" && PATH="$XK_RUN/real:$PATH" timeout 10 "$@" 2>&1); rc_real=$?
    local after_real; after_real=$(PATH="$XK_RUN/real:$PATH" xenstore-ls -f -p /t 2>&1)
    fixture
    out_ours=$(cd "$XK_RUN" && PATH="$XK_RUN/ours:$PATH" timeout 10 "$@" 2>&1); rc_ours=$?
    local after_ours; after_ours=$(PATH="$XK_RUN/real:$PATH" xenstore-ls -f -p /t 2>&1)
    if [ "$out_real" == "$out_ours" ] && [ "$rc_real" == "$rc_ours" ] &&
       [ "$after_real" == "$after_ours" ]; then
        xk_ok "$* (status $rc_real)"
    else
        xk_not_ok "$*"
        xk_diag "real (status $rc_real):"; printf '%s\n' "$out_real" | sed 's/^/#   /'
        xk_diag "ours (status $rc_ours):"; printf '%s\n' "$out_ours" | sed 's/^/#   /'
        [ "$after_real" == "$after_ours" ] || {
            xk_diag "tree after real:"; printf '%s\n' "$after_real" | sed 's/^/#   /'
            xk_diag "tree after ours:"; printf '%s\n' "$after_ours" | sed 's/^/#   /'; }
    fi
}

script=(
    "xenstore-ls /t"
    "xenstore-ls -p /t"
    "xenstore-ls -f /t"
    "xenstore-ls -f -p /t"
    "xenstore-ls -s /t/deep"
    "xenstore-ls /t /t/deep"
    "xenstore-ls /nope"
    "xenstore-ls"
    "xenstore-read /t/short"
    "xenstore-read /t/esc"
    "xenstore-read -R /t/esc"
    "xenstore-read -p /t/short /t/empty"
    "xenstore-read -p -R /t/short"
    "xenstore-read /nope"
    "xenstore-read /t/short /nope /t/empty"
    "xenstore-read"
    "xenstore-read -f /t"
    "xenstore-read -h"
    "xenstore-write /t/new value"
    "xenstore-write /t/a 1 /t/b 2"
    "xenstore-write /t/e x\\ty\\x41\\101\\\\\\q"
    "xenstore-write -R /t/e x\\ty"
    "xenstore-write /t/odd"
    "xenstore-write /bad//path 1"
    "xenstore-list /t"
    "xenstore-list -p /t /t/deep"
    "xenstore-list /nope"
    "xenstore-exists /t/short"
    "xenstore-exists /t/short /nope"
    "xenstore-exists -p /t"
    "xenstore-rm /t/short"
    "xenstore-rm /t/nothing"
    "xenstore-rm /nope/x"
    "xenstore-rm -t /t/deep/er/est"
    "xenstore-rm"
    "xenstore-chmod /t/short r0 w5 b6"
    "xenstore-chmod -r /t/deep n0 r3"
    "xenstore-chmod -u /t/deep/er b4"
    "xenstore-chmod /t/short x1"
    "xenstore-chmod /nope r1"
    "xenstore-chmod /t/short"
    "xenstore-watch -n 1 /t"
    "xenstore-watch -n 2 /t /t/deep"
    "xenstore-watch -n 1 t-relative"
    "xenstore-watch -n 1 /bad//path"
    "xenstore-watch -h"
    "xenstore read /t/short"
    "xenstore ls /t/deep"
    "xenstore -h"
    "xenstore nosuchmode"
    "xenstore"
)
xk_plan $(( ${#script[@]} + 1 ))
for line in "${script[@]}"; do
    # shellcheck disable=SC2086
    run_both $line
done
xk_check "xenstored exits cleanly" xs_stop
