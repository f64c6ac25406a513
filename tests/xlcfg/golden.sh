#!/bin/bash
# Golden tests of the xl.cfg layer, run through xlcfg-check (what
# `xl -N create` does):
#
#   pass/NAME.cfg  must be accepted: NAME.json on standard output, and
#                  NAME.warn (or nothing) on standard error;
#   fail/NAME.cfg  must be refused (exit 1): NAME.err on standard error,
#                  nothing on standard output.
#
# NAME.args holds extra arguments, one per line (KEY=VALUE overrides);
# NAME.host the host options, one per line, instead of the default
# --host-cpus 16 --host-nodes 4 (the topology of xl.cfg(5)'s examples).
# Files are given by their name, from their folder, so messages read
# "NAME.cfg:LINE:COL: ...".
#
# XK_GOLDEN_UPDATE=1 rewrites the expected files from the actual output:
# review the diff before committing it.
. "$XK_TESTS_SRCDIR/lib.sh"

check=$XK_TOP_BUILDDIR/libxl/xlcfg-check
golden=$XK_TESTS_SRCDIR/xlcfg
[ -x "$check" ] || xk_bail "$check is not built"
xk_new_run_dir

cases=$( (cd "$golden" && ls pass/*.cfg fail/*.cfg) )
xk_plan "$(echo "$cases" | wc -l)"

lines() {      # lines FILE: the non-empty lines of FILE, if it exists
    [ -f "$1" ] && grep -v '^$' "$1"
}

for c in $cases; do
    kind=${c%%/*}
    base=${c%.cfg}
    name=${base#*/}
    out=$XK_RUN/$name.out
    err=$XK_RUN/$name.errout
    mapfile -t args < <(lines "$golden/$base.args")
    if [ -f "$golden/$base.host" ]; then
        mapfile -t host < <(lines "$golden/$base.host")
    else
        host=(--host-cpus 16 --host-nodes 4)
    fi
    (cd "$golden/$kind" && "$check" "${host[@]}" "$name.cfg" "${args[@]}") >"$out" 2>"$err"
    rc=$?

    if [ "$kind" = pass ]; then
        want_rc=0; want_out=$golden/$base.json; want_err=$golden/$base.warn
    else
        want_rc=1; want_out=/dev/null; want_err=$golden/$base.err
    fi
    if [ -n "${XK_GOLDEN_UPDATE:-}" ]; then
        [ "$kind" = pass ] && cp "$out" "$want_out"
        if [ -s "$err" ] || [ "$kind" = fail ]; then cp "$err" "$want_err"; else rm -f "$want_err"; fi
    fi
    [ -f "$want_err" ] || want_err=/dev/null

    problems=""
    [ "$rc" = "$want_rc" ] || problems="exit status $rc, expected $want_rc"
    if ! diff -u "$want_out" "$out" >"$XK_RUN/diff" 2>&1; then
        problems="$problems${problems:+; }standard output differs"
    fi
    if ! diff -u "$want_err" "$err" >>"$XK_RUN/diff" 2>&1; then
        problems="$problems${problems:+; }standard error differs"
    fi
    if [ -z "$problems" ]; then
        xk_ok "$c"
    else
        xk_not_ok "$c: $problems"
        sed 's/^/# /' "$XK_RUN/diff" | head -n 60
    fi
done
