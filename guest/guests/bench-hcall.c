/* bench-hcall: the cost of a hypercall round trip, with its floors measured
 * in the same run.  Command line: iters=N (default 20000).  For each of
 *
 *   hcall       xen_version(XENVER_version, NULL) through the hypercall page
 *   stub_floor  the same stub copied into our memory with its port byte
 *               patched to XK_UNCLAIMED_PORT: the same guest code and exit,
 *               no hypercall
 *   bare_out    a bare "out %eax, $XK_UNCLAIMED_PORT" loop
 *
 * it runs N calls in batches, times each batch with rdtsc and prints the
 * median over batches of the cycles per call:
 *
 *   bench-hcall: iters=N tsc_khz=K hcall_cycles=A stub_floor_cycles=B
 *   bare_out_cycles=C
 */
#include "kit.h"

#include <xen/version.h>

#define MAX_BATCHES 64

static char floor_stub[XK_HCALL_STUB_SIZE] __attribute__((aligned(32)));

/* n calls of the stub at stub, with xen_version's arguments. */
static __attribute__((noinline)) void call_stub(const void *stub, uint64_t n)
{
    while (n--) {
        register unsigned long a1 __asm__("rdi") = XENVER_version;
        register unsigned long a2 __asm__("rsi") = 0;
        long ret;

        __asm__ volatile("call *%[stub]"
                         : "=a"(ret), "+r"(a1), "+r"(a2)
                         : [stub] "r"(stub)
                         : "memory");
    }
}

static __attribute__((noinline)) void bare_out(uint64_t n)
{
    while (n--)
        __asm__ volatile("outl %%eax, %[port]"
                         :
                         : "a"(XENVER_version), [port] "i"(XK_UNCLAIMED_PORT));
}

static uint64_t median(uint64_t *v, unsigned int n)
{
    unsigned int i, j;

    for (i = 1; i < n; i++) {
        uint64_t x = v[i];

        for (j = i; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    return v[n / 2];
}

/* Median cycles per call over nb batches sharing iters calls; stub NULL:
 * bare out instead. */
static uint64_t measure(const void *stub, unsigned int nb, uint64_t iters)
{
    uint64_t cycles[MAX_BATCHES];
    unsigned int b;

    for (b = 0; b < nb; b++) {
        uint64_t n = iters / nb + (b < iters % nb), t0 = kit_rdtsc();

        if (stub)
            call_stub(stub, n);
        else
            bare_out(n);
        cycles[b] = (kit_rdtsc() - t0) / n;
    }
    return median(cycles, nb);
}

int guest_main(void)
{
    const char *stub =
        hypercall_page + __HYPERVISOR_xen_version * XK_HCALL_STUB_SIZE;
    uint64_t iters = 20000, hcall, stub_floor, bare;
    unsigned int nb;
    long v;

    kit_cmdline_u64("iters", &iters);
    if (!iters)
        iters = 1;
    nb = iters < MAX_BATCHES ? (unsigned int)iters : MAX_BATCHES;

    v = HYPERVISOR_xen_version(XENVER_version, NULL);
    if (v < 0)
        kit_panic("bench-hcall: xen_version failed: %ld", v);
    if ((unsigned char)stub[XK_HCALL_STUB_PORT_OFF] != XK_HCALL_PORT)
        kit_panic("bench-hcall: unexpected stub format");
    memcpy(floor_stub, stub, sizeof(floor_stub));
    floor_stub[XK_HCALL_STUB_PORT_OFF] = (char)XK_UNCLAIMED_PORT;

    /* one of each first, so no batch pays for a first touch */
    call_stub(stub, 1);
    call_stub(floor_stub, 1);
    bare_out(1);

    hcall = measure(stub, nb, iters);
    stub_floor = measure(floor_stub, nb, iters);
    bare = measure(NULL, nb, iters);
    printf("bench-hcall: iters=%lu tsc_khz=%u hcall_cycles=%lu "
           "stub_floor_cycles=%lu bare_out_cycles=%lu\n",
           iters, kit_tsc_khz(), hcall, stub_floor, bare);
    return 0;
}
