#!/bin/bash
# Hostile and broken clients: an oversized payload announcement, garbage,
# half a message then a hang-up, a client that never reads its replies,
# unknown types, many connections.  xenstored answers or drops each one
# and carries on serving the others, and leaks nothing.
. "$XK_TESTS_SRCDIR/lib.sh"
. "$XK_TESTS_SRCDIR/xenstore/lib-xs.sh"

command -v python3 >/dev/null || xk_skip_all "python3 is needed"
xk_plan 3
xk_new_run_dir
xs_start || xk_bail "xenstored did not start"

python3 - "$XK_RUN/socket" >"$XK_RUN/hostile.out" 2>&1 <<'EOF'
import os, socket, struct, sys, random
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path); return s
def msg(t, body, req=1, tx=0):
    return struct.pack("<IIII", t, req, tx, len(body)) + body
def recv_msg(s):
    h = b""
    while len(h) < 16:
        d = s.recv(16 - len(h))
        if not d: return None
        h += d
    t, req, tx, n = struct.unpack("<IIII", h)
    b = b""
    while len(b) < n: b += s.recv(n - len(b))
    return t, req, b
ok = True
# 1. Oversized announcement: dropped.
s = conn(); s.sendall(struct.pack("<IIII", 2, 1, 0, 1 << 20)); s.settimeout(5)
print("oversized:", "closed" if s.recv(100) == b"" else "not closed"); s.close()
# 2. Garbage, then half a message, then hang up.
s = conn(); s.sendall(bytes(random.Random(1).randrange(256) for _ in range(3000))); s.close()
s = conn(); s.sendall(msg(2, b"/local\0")[:10]); s.close()
# 3. Unknown type and a bad request: error replies, connection lives.
s = conn(); s.sendall(msg(99, b"x\0") + msg(2, b"no-nul") + msg(2, b"/local\0", req=7))
r = [recv_msg(s) for _ in range(3)]
print("errors:", r[0][2], r[1][2], r[2][1], r[2][0])
s.close()
# 4. A client that writes much and never reads: others are served.
lazy = conn(); lazy.setblocking(False)
big = msg(11, b"/lazy\0" + b"v" * 4000)
sent = 0
try:
    for i in range(2000):
        lazy.sendall(msg(2, b"/lazy\0")); sent += 1
except BlockingIOError:
    pass
s = conn(); s.settimeout(10); s.sendall(msg(10, b"3\0"))
print("others served while one does not read:", recv_msg(s)[2])
lazy.close(); s.close()
# 5. Many connections at once.
conns = [conn() for _ in range(200)]
for i, c in enumerate(conns): c.sendall(msg(11, b"/many/%d\0x" % i))
good = sum(1 for c in conns if recv_msg(c)[2] == b"OK\0")
print("200 connections:", good)
for c in conns: c.close()
EOF
cat "$XK_RUN/hostile.out" | sed 's/^/# /'
xk_check "each hostile client handled" eval '
    grep -q "^oversized: closed" "$XK_RUN/hostile.out" &&
    grep -q "^errors: b.ENOSYS.x00. b.EINVAL.x00. 7 2" "$XK_RUN/hostile.out" &&
    grep -q "^others served while one does not read: b./local/domain/3.x00." "$XK_RUN/hostile.out" &&
    grep -q "^200 connections: 200" "$XK_RUN/hostile.out"'
xk_check "still serving" test "$("$XS_OURS/xenstore-read" /many/199)" = x
xk_check "xenstored exits cleanly" xs_stop
