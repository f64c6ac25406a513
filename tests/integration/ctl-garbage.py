"""A hostile control-socket client: malformed, truncated, oversized and
random messages, descriptors passed in, abrupt disconnects.  Every request
that keeps the framing must get a reply; the connection may be closed on
broken framing.  Exits 0 when xen behaved."""
import array
import os
import random
import socket
import struct
import sys

PATH = sys.argv[1]
MAGIC = 0x31434B58
HDR = struct.Struct("<IIIiII")
MAX_MSG = 128 * 1024


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(PATH)
    s.settimeout(10)
    return s


def request(s, op, payload, seq=1, magic=MAGIC, length=None, flags=0):
    if length is None:
        length = len(payload)
    s.send(HDR.pack(magic, op, seq, 0, length, flags) + payload)
    return s.recv(MAX_MSG + 64)


def expect_reply(op, payload, want_err=True):
    s = conn()
    r = request(s, op, payload)
    magic, rop, seq, ret, ln, flags = HDR.unpack(r[:HDR.size])
    assert magic == MAGIC and seq == 1, "bad reply header"
    assert ln == len(r) - HDR.size, "reply length mismatch"
    if want_err:
        assert ret < 0, "expected an error reply for op %d, got %d" % (op, ret)
    s.close()
    return ret


def expect_close(data):
    s = conn()
    s.send(data)
    try:
        r = s.recv(MAX_MSG)
        assert r == b"", "expected the connection to close, got %r" % r[:32]
    except ConnectionResetError:
        pass
    s.close()


rnd = random.Random(1234)
# Unknown ops and short payloads get error replies.
expect_reply(0, b"")
expect_reply(99, b"x" * 16)
expect_reply(1, b"\0" * 10)            # domctl too short
expect_reply(7, b"\0" * 16)            # map with zero pages
# A domctl with the wrong interface version: -EACCES.
dc = struct.pack("<II", 5, 0x1234) + b"\0" * 256
assert expect_reply(1, dc) == -13
# A domctl for a domain that does not exist: -ESRCH.
dc = struct.pack("<IIH", 2, 0x15, 999) + b"\0" * 254
assert expect_reply(1, dc) == -3
# Unknown domctl: -ENOSYS.
dc = struct.pack("<IIH", 77, 0x15, 0) + b"\0" * 254
assert expect_reply(1, dc) == -38
# Populate with an extent list longer than the message: error.
memop = struct.pack("<II", 6, 0) + struct.pack("<QQIIH6x", 0, 1000, 0, 0, 1)
expect_reply(3, memop + b"\0" * 8)
# Map foreign of a missing domain.
expect_reply(7, struct.pack("<IIII", 4242, 1, 3, 0) + b"\0" * 8)
# A wait with no conditions.
expect_reply(8, struct.pack("<IIIIII", 0, 0, 0, 0, 10, 0))
# Broken framing: bad magic, lying length, a header cut short.
expect_close(HDR.pack(0xdeadbeef, 1, 1, 0, 0, 0))
expect_close(HDR.pack(MAGIC, 1, 1, 0, 500, 0) + b"x" * 10)
expect_close(b"abc")
# Oversized message.
expect_close(b"\0" * (MAX_MSG + 10))
# Descriptors passed to xen are not kept.
for _ in range(50):
    s = conn()
    fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(4)]
    s.sendmsg([HDR.pack(MAGIC, 6, 1, 0, 8, 0) + b"\0" * 8],
              [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    s.recv(MAX_MSG)
    for fd in fds:
        os.close(fd)
    s.close()
# Random bytes, with and without a plausible header.
for i in range(3000):
    s = conn()
    n = rnd.randrange(0, 600)
    data = bytes(rnd.getrandbits(8) for _ in range(n))
    if i % 2 and n >= HDR.size:
        op = rnd.randrange(0, 10)
        data = HDR.pack(MAGIC, op, 1, 0, n - HDR.size, 0) + data[HDR.size:]
    try:
        s.send(data)
        s.recv(MAX_MSG)
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    s.close()
# Abrupt disconnects mid-wait.
for _ in range(100):
    s = conn()
    s.send(HDR.pack(MAGIC, 8, 1, 0, 24, 0) + struct.pack("<IIIIII", 0x7FF4, 1, 0, 0, 60000, 0))
    s.close()
# Many connections at once, then dropped.
socks = [conn() for _ in range(100)]
for s in socks:
    s.close()
print("ok")
