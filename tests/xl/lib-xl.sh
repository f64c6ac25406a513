# Helpers for the xl tests: source after lib.sh and lib-xen.sh.
#   xl_start_stack        xen, xenstored and xenconsoled in $XK_RUN
#   xl ARGS...            the built xl
#   xl_cfg NAME GUEST [KEY=VALUE...]   writes $XK_RUN/NAME.cfg, prints its path
#   xl_dmesg_has TEXT     the hypervisor console holds TEXT
#   xl_domid NAME         the domain's id (empty when none)
#   xl_gone NAME|ID       no such domain
#   xl_stop_stack         destroys every domain (so their monitors end),
#                         stops the daemons; fails on a sanitizer report
XL_BIN="$XK_TOP_BUILDDIR/cli/xl"
XS_LS="$XK_TOP_BUILDDIR/cli/xenstore-ls"
XS_READ="$XK_TOP_BUILDDIR/cli/xenstore-read"
XENSTORED_BIN="$XK_TOP_BUILDDIR/xenstored/xenstored"
XENCONSOLED_BIN="$XK_TOP_BUILDDIR/backends/xenconsoled"

xl() { "$XL_BIN" "$@"; }

xl_start_xenconsoled() {
    "$XENCONSOLED_BIN" --run-dir "$XK_RUN" --log guest --log-dir "$XK_RUN/consoles" \
        -L "$XK_RUN/xenconsoled.log"
}

XENSTORED_PID=
xl_start_stack() {
    xk_start_xen "$@" || return 1
    "$XENSTORED_BIN" --run-dir "$XK_RUN" || return 1
    XENSTORED_PID=$(cat "$XK_RUN/xenstored.pid")
    xk_at_exit "kill $XENSTORED_PID"
    xl_start_xenconsoled || return 1
    xk_at_exit "kill \$(cat $XK_RUN/xenconsoled.pid)"
    # Monitors left by a failed test end with the daemons; core dumps stay
    # in the run directory.
    xk_at_exit 'kill $(pgrep -f "create.* $XK_RUN/")'
    export XEN_DUMP_DIR="$XK_RUN/dump"
}

xl_cfg() {
    local name=$1 guest=$2 f="$XK_RUN/$1.cfg"
    shift 2
    {
        echo "name = \"$name\""
        echo "type = \"pvh\""
        echo "kernel = \"$GUESTS/$guest\""
        echo "memory = 16"
        for kv in "$@"; do echo "$kv"; done
    } >"$f"
    echo "$f"
}

xl_dmesg_has() { xl dmesg 2>/dev/null | grep -qF -- "$1"; }
xl_domid() { xl domid "$1" 2>/dev/null; }
xl_gone() { ! xl list "$1" >/dev/null 2>&1; }
# Monitors of this test: their command lines name its run directory.
xl_monitors() { pgrep -f "create.* $XK_RUN/" 2>/dev/null | wc -l; }

xl_stop_stack() {
    local ids d rc=0 cpid
    ids=$(xl list 2>/dev/null | awk 'NR > 2 { print $2 }')
    for d in $ids; do xl destroy "$d" >/dev/null 2>&1; done
    # Monitors end once their domains are gone.
    if ! xk_wait_for 10 eval '[ "$(xl_monitors)" -eq 0 ]'; then
        xk_diag "monitors still running: $(pgrep -af "create.* $XK_RUN/")"
        rc=1
    fi
    cpid=$(cat "$XK_RUN/xenconsoled.pid" 2>/dev/null)
    kill $cpid $XENSTORED_PID 2>/dev/null
    xk_wait_for 10 eval '! kill -0 $cpid $XENSTORED_PID 2>/dev/null' || rc=1
    xk_stop_xen >/dev/null || rc=1
    return $rc
}
