#!/bin/bash
# xl without a hypervisor: help, the command table, usage errors and exit
# status as Xen's xl, and the dry run (-N create) against xlcfg-check.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/lib-xen.sh"
. "$XK_TESTS_SRCDIR/xl/lib-xl.sh"
xk_new_run_dir
xk_plan 16

out=$(xl help); rc=$?
xk_check "xl help exits 0" test $rc -eq 0
for c in create destroy shutdown reboot pause unpause rename list info dmesg uptime domid \
         domname console mem-set mem-max vcpu-set vcpu-list vcpu-pin sysrq dump-core top; do
    grep -q "^ $c " <<<"$out" || missing="$missing $c"
done
xk_check "xl help lists every command${missing:+ (missing:$missing)}" test -z "$missing"

out=$(xl help create); rc=$?
xk_check "xl help create shows the usage and the options" \
    eval 'test $rc -eq 0 && grep -q "^Usage: xl \[-vN\] create <ConfigFile>" <<<"$out" && grep -q "^-F " <<<"$out"'
out=$(xl destroy -h); rc=$?
xk_check "xl CMD -h prints the command's help and exits 0" \
    eval 'test $rc -eq 0 && grep -q "^Usage: xl \[-v\] destroy" <<<"$out"'

xl frobnicate >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "an unknown command: 'command not implemented', status 1" \
    eval 'test $rc -eq 1 && grep -q "command not implemented" "$XK_RUN/err"'
xl destroy >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "a missing argument: 'requires at least 1 argument', status 2" \
    eval 'test $rc -eq 2 && grep -q "'"'"'xl destroy'"'"' requires at least 1 argument" "$XK_RUN/err"'
xl list --bogus >/dev/null 2>&1; rc=$?
xk_check "an unknown option: status 2" test $rc -eq 2
xl >/dev/null 2>&1; rc=$?
xk_check "no command: status 2" test $rc -eq 2
xl -N list >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "-N with a command that has no dry run: status 1" \
    eval 'test $rc -eq 1 && grep -q "does not implement -N" "$XK_RUN/err"'

# The dry run needs no hypervisor and prints what xlcfg-check prints.
cat >"$XK_RUN/a.cfg" <<CFG
name = "web"
type = "pvh"
kernel = "/boot/k"
memory = 64
maxvcpus = 2
cpus = "0"
on_crash = "preserve"
CFG
XEN_RUN_DIR="$XK_RUN/nowhere" xl -N create "$XK_RUN/a.cfg" memory=96 >"$XK_RUN/n.json" \
    2>"$XK_RUN/err"; rc=$?
"$XK_TOP_BUILDDIR/libxl/xlcfg-check" "$XK_RUN/a.cfg" memory=96 >"$XK_RUN/c.json" 2>/dev/null
xk_check "xl -N create prints the configuration without a hypervisor" test $rc -eq 0
xk_check "... the same JSON as xlcfg-check (overrides applied)" cmp -s "$XK_RUN/n.json" "$XK_RUN/c.json"
xk_check "... and says which file it parsed" grep -q "Parsing config from $XK_RUN/a.cfg" "$XK_RUN/err"
XEN_RUN_DIR="$XK_RUN/nowhere" xl create -n -q "$XK_RUN/a.cfg" memory=96 >"$XK_RUN/n2.json"
xk_check "create -n is the same dry run" cmp -s "$XK_RUN/n.json" "$XK_RUN/n2.json"

echo 'memory = "lots"' >"$XK_RUN/bad.cfg"
xl -N create "$XK_RUN/bad.cfg" >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "a configuration error: FILE:LINE:COL message, status 1" \
    eval 'test $rc -eq 1 && grep -q "bad.cfg:1:" "$XK_RUN/err"'
XEN_RUN_DIR="$XK_RUN/nowhere" xl list >/dev/null 2>"$XK_RUN/err"; rc=$?
xk_check "no hypervisor: a message, status 1" \
    eval 'test $rc -eq 1 && grep -q "cannot" "$XK_RUN/err"'
xk_check "xl help --long is the full list" eval 'xl help --long | grep -q "^ vcpu-pin "'
exit 0
