# Shared shell helpers for integration tests: TAP output, deadlines, a private
# run directory, and daemon start/stop.  Source it:  . "$XK_TESTS_SRCDIR/lib.sh"
#
# Conventions: a test never sleeps to wait; it waits on a condition with a
# deadline (xk_wait_for).  Every daemon is started in $XK_RUN (a fresh temp
# dir) and stopped by the EXIT trap.

: "${XK_TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${XK_TOP_BUILDDIR:=$XK_TOP_SRCDIR/build}"
: "${XK_TESTS_SRCDIR:=$XK_TOP_SRCDIR/tests}"
: "${XK_TESTS_BUILDDIR:=$XK_TOP_BUILDDIR/tests}"

_xk_n=0
_xk_failed=0
_xk_cleanups=""

xk_plan() { echo "1..$1"; }
xk_ok() { _xk_n=$((_xk_n + 1)); echo "ok $_xk_n - $*"; }
xk_not_ok() { _xk_n=$((_xk_n + 1)); _xk_failed=1; echo "not ok $_xk_n - $*"; }
xk_skip() { _xk_n=$((_xk_n + 1)); echo "ok $_xk_n - $1 # SKIP $2"; }
xk_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
xk_diag() { echo "# $*"; }
# xk_check DESCRIPTION CMD...: one TAP line from a command's status.
xk_check() {      # the command's output goes to the log (stderr), not the TAP stream
    local d=$1; shift
    if "$@" >&2; then xk_ok "$d"; else xk_not_ok "$d"; fi
}
xk_bail() { echo "Bail out! $*"; exit 1; }

# xk_wait_for SECONDS CMD...: polls CMD until it succeeds or the deadline
# passes (status 1).  Polling backs off from 1 ms to 50 ms.
xk_wait_for() {
    local secs=$1; shift
    local deadline=$(( $(date +%s%N) + secs * 1000000000 ))
    local delay=0.001
    while :; do
        "$@" && return 0
        [ "$(date +%s%N)" -ge "$deadline" ] && return 1
        sleep "$delay"
        case $delay in 0.001) delay=0.005;; 0.005) delay=0.02;; *) delay=0.05;; esac
    done
}

xk_at_exit() { _xk_cleanups="$*; $_xk_cleanups"; }
_xk_exit() {
    local rc=$?
    eval "$_xk_cleanups" >/dev/null 2>&1
    if [ -n "${XK_RUN:-}" ] && [ -d "$XK_RUN" ] && [ -z "${XK_KEEP_RUN:-}" ]; then
        rm -rf "$XK_RUN"
    fi
    exit $rc
}
trap _xk_exit EXIT
trap 'exit 130' INT TERM

# A private run directory, exported as XEN_RUN_DIR and XENSTORED_PATH's dir.
xk_new_run_dir() {
    XK_RUN=$(mktemp -d "${TMPDIR:-/tmp}/xk-test.XXXXXX")
    export XK_RUN XEN_RUN_DIR="$XK_RUN"
}

xk_need_kvm() {
    [ -n "${XK_SKIP_KVM_TESTS:-}" ] && xk_skip_all "KVM tests disabled (XK_SKIP_KVM_TESTS)"
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || xk_skip_all "/dev/kvm is not usable here"
}

# Runs a program of the build tree under the sanitizer environment when the
# tree was built with ASan (XK_ASAN=1 from scripts/check).
xk_daemon_env() {
    if [ -n "${XK_ASAN:-}" ]; then
        export ASAN_OPTIONS="detect_leaks=1:exitcode=66:log_path=$XK_RUN/asan"
    fi
}

# After stopping the daemons: fails when a sanitizer wrote a report.
xk_asan_clean() {
    [ -z "${XK_ASAN:-}" ] && return 0
    if ls "$XK_RUN"/asan.* >/dev/null 2>&1; then
        cat "$XK_RUN"/asan.* | sed 's/^/# /'
        return 1
    fi
    return 0
}

# xk_stop_daemon NAME PIDVAR: SIGTERMs the daemon whose pid is in $PIDVAR
# (started by this shell) and waits up to 30 s for it; then PIDVAR is
# emptied, and it must have exited 0 with no sanitizer report.
xk_stop_daemon() {
    local name=$1 var=$2 pid=${!2} rc
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    if ! xk_wait_for 30 eval '! kill -0 '"$pid"' 2>/dev/null'; then
        xk_diag "$name did not exit on SIGTERM"
        kill -9 "$pid" 2>/dev/null
        return 1
    fi
    wait "$pid"; rc=$?
    printf -v "$var" '%s' ''
    [ "$rc" -eq 0 ] || { xk_diag "$name exited with status $rc"; return 1; }
    xk_asan_clean
}
