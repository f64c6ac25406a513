/* kvm-floor: the bare-KVM floors the benchmarks compare against.
 *
 *   kvm-floor create N     N times: a VM with 16 MiB of memfd RAM and one
 *                          vCPU, started in 32-bit protected mode (as PVH
 *                          starts) on "out %al,$0xe9; hlt", run to its
 *                          first port write; then torn down.  Prints the
 *                          median and p95 of start-to-first-byte and the
 *                          median teardown, in ms.
 *   kvm-floor footprint N  N such VMs, each with a thread blocked as an
 *                          idle vCPU thread would be; prints the growth of
 *                          this process's RSS (anonymous + file, memfd RAM
 *                          excluded) per VM, in KiB.
 *   kvm-floor exit N       a guest looping on a port write; prints the
 *                          median round trip of one exit to userspace, us.
 *   kvm-floor eventfd N    two threads bouncing an eventfd N times, as two
 *                          vCPU threads would (unpinned); prints the median
 *                          round trip, us.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "util.h"

#define RAM (16u << 20)

struct vm {
    int vm, vcpu, mem;
    uint8_t *ram;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    int wake[2];
};

static int kvm_fd;
static int ready_pipe[2];

static void die(const char *what)
{
    fprintf(stderr, "kvm-floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void vm_create(struct vm *v)
{
    static const uint8_t code[] = { 0xe6, 0xe9, 0xf4 };   /* out %al,$0xe9; hlt */
    struct kvm_sregs s;
    struct kvm_regs r;

    v->vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (v->vm < 0)
        die("KVM_CREATE_VM");
    v->mem = memfd_create("floor", MFD_CLOEXEC);
    if (v->mem < 0 || ftruncate(v->mem, RAM) < 0)
        die("memfd");
    v->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED, v->mem, 0);
    if (v->ram == MAP_FAILED)
        die("mmap");
    struct kvm_userspace_memory_region reg = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = RAM,
        .userspace_addr = (uint64_t)(uintptr_t)v->ram,
    };
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    memcpy(v->ram + 0x100000, code, sizeof(code));
    v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0)
        die("KVM_CREATE_VCPU");
    v->run_size = (size_t)ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED)
        die("mmap run");
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    struct kvm_segment seg = { .base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
                               .present = 1, .dpl = 0, .db = 1, .s = 1, .g = 1 };
    s.ds = s.es = s.fs = s.gs = s.ss = seg;
    seg.type = 0xb;
    seg.selector = 0x08;
    s.cs = seg;
    s.cr0 = 0x11;
    s.cr4 = 0;
    s.efer = 0;
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");
    memset(&r, 0, sizeof(r));
    r.rip = 0x100000;
    r.rflags = 2;
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");
}

static void vm_run_to_io(struct vm *v)
{
    for (;;) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR)
                continue;
            die("KVM_RUN");
        }
        if (v->run->exit_reason == KVM_EXIT_IO)
            return;
        fprintf(stderr, "kvm-floor: unexpected exit %u\n", v->run->exit_reason);
        exit(1);
    }
}

static void vm_destroy(struct vm *v)
{
    munmap(v->run, v->run_size);
    close(v->vcpu);
    munmap(v->ram, RAM);
    close(v->mem);
    close(v->vm);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    uint64_t anon = 0, file = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        sscanf(line, "RssAnon: %llu", (unsigned long long *)&anon);
        sscanf(line, "RssFile: %llu", (unsigned long long *)&file);
    }
    fclose(f);
    return anon + file;
}

static void *idle_thread(void *arg)
{
    struct vm *v = arg;
    char c;

    /* Run the guest once, as a vCPU thread does, then block. */
    vm_run_to_io(v);
    if (write(ready_pipe[1], "r", 1) < 0)
        die("write");
    if (read(v->wake[0], &c, 1) < 0) {
        /* woken for exit */
    }
    return NULL;
}

static int efd_a, efd_b;
static unsigned pp_rounds;

static void *pong(void *arg)
{
    uint64_t v;

    (void)arg;
    for (unsigned i = 0; i < pp_rounds; i++) {
        if (read(efd_a, &v, sizeof(v)) != sizeof(v) || write(efd_b, &v, sizeof(v)) != sizeof(v))
            die("eventfd");
    }
    return NULL;
}

static int floor_eventfd(unsigned n)
{
    uint64_t *rt = calloc(n, sizeof(uint64_t)), v = 1;
    pthread_t t;

    efd_a = eventfd(0, 0);
    efd_b = eventfd(0, 0);
    pp_rounds = n;
    pthread_create(&t, NULL, pong, NULL);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = xk_now_ns();
        if (write(efd_a, &v, sizeof(v)) != sizeof(v) || read(efd_b, &v, sizeof(v)) != sizeof(v))
            die("eventfd");
        rt[i] = xk_now_ns() - t0;
    }
    pthread_join(t, NULL);
    qsort(rt, n, sizeof(uint64_t), cmp_u64);
    printf("rtt_us %.2f\n", rt[n / 2] / 1e3);
    free(rt);
    return 0;
}

static int floor_exit(unsigned n)
{
    /* out %al,$0xe4; jmp back */
    static const uint8_t loop[] = { 0xe6, 0xe4, 0xeb, 0xfc };
    uint64_t *rt = calloc(n, sizeof(uint64_t));
    struct vm v;

    vm_create(&v);
    memcpy(v.ram + 0x100000, loop, sizeof(loop));
    vm_run_to_io(&v);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = xk_now_ns();
        vm_run_to_io(&v);
        rt[i] = xk_now_ns() - t0;
    }
    vm_destroy(&v);
    qsort(rt, n, sizeof(uint64_t), cmp_u64);
    printf("exit_us %.2f\n", rt[n / 2] / 1e3);
    free(rt);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n;

    if (argc != 3 || (strcmp(argv[1], "create") && strcmp(argv[1], "footprint") &&
                      strcmp(argv[1], "exit") && strcmp(argv[1], "eventfd"))) {
        fprintf(stderr, "usage: kvm-floor create|footprint|exit|eventfd N\n");
        return 2;
    }
    n = (unsigned)strtoul(argv[2], NULL, 0);
    if (n == 0 || n > 1000000)
        return 2;
    if (!strcmp(argv[1], "eventfd"))
        return floor_eventfd(n);
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0)
        die("/dev/kvm");
    if (!strcmp(argv[1], "exit"))
        return floor_exit(n);

    if (!strcmp(argv[1], "create")) {
        uint64_t *start = calloc(n, sizeof(uint64_t)), *down = calloc(n, sizeof(uint64_t));
        for (unsigned i = 0; i < n; i++) {
            struct vm v;
            uint64_t t0 = xk_now_ns();
            vm_create(&v);
            vm_run_to_io(&v);
            uint64_t t1 = xk_now_ns();
            vm_destroy(&v);
            uint64_t t2 = xk_now_ns();
            start[i] = t1 - t0;
            down[i] = t2 - t1;
        }
        qsort(start, n, sizeof(uint64_t), cmp_u64);
        qsort(down, n, sizeof(uint64_t), cmp_u64);
        printf("median_ms %.3f\np95_ms %.3f\nteardown_median_ms %.3f\n", start[n / 2] / 1e6,
               start[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] / 1e6, down[n / 2] / 1e6);
        free(start);
        free(down);
        return 0;
    }

    struct vm *vms = calloc(n, sizeof(*vms));
    pthread_attr_t attr;
    char c;

    if (pipe(ready_pipe) < 0)
        die("pipe");
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    /* Warm up: one VM first, so the process's own start-up is not counted. */
    vm_create(&vms[0]);
    if (pipe(vms[0].wake) < 0)
        die("pipe");
    pthread_create(&vms[0].thread, &attr, idle_thread, &vms[0]);
    if (read(ready_pipe[0], &c, 1) != 1)
        die("read");
    uint64_t before = rss_kb();
    for (unsigned i = 1; i < n; i++) {
        vm_create(&vms[i]);
        if (pipe(vms[i].wake) < 0)
            die("pipe");
        pthread_create(&vms[i].thread, &attr, idle_thread, &vms[i]);
    }
    for (unsigned i = 1; i < n; i++)
        if (read(ready_pipe[0], &c, 1) != 1)
            die("read");
    uint64_t after = rss_kb();
    printf("kib_per_vm %.1f\n", n > 1 ? (double)(after - before) / (n - 1) : 0.0);
    for (unsigned i = 0; i < n; i++) {
        if (write(vms[i].wake[1], "x", 1) < 0) {
            /* thread is gone already */
        }
        pthread_join(vms[i].thread, NULL);
        vm_destroy(&vms[i]);
        close(vms[i].wake[0]);
        close(vms[i].wake[1]);
    }
    free(vms);
    return 0;
}
