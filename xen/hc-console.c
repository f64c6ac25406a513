/* console_io: guests write to their console log; reading the hypervisor
 * console is for dom0 only. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>

#include <xen/xen.h>

#include "xen.h"
#include "hcall.h"

#define CHUNK 1024

long do_console_io(struct vcpu *v, struct hcall *h)
{
    uint32_t cmd = (uint32_t)h->arg[0];
    uint64_t count = h->arg[1] & 0xffffffffULL;
    uint64_t buf = h->arg[2];
    char tmp[CHUNK];

    switch (cmd) {
    case CONSOLEIO_write:
        while (count) {
            size_t n = count > CHUNK ? CHUNK : (size_t)count;
            if (copy_from_guest(v, tmp, buf, n) < 0)
                return -EFAULT;
            console_guest_write(v->domain, tmp, n);
            buf += n;
            count -= n;
            if (count && vcpu_should_yield(v))
                break;       /* the domain is stopping: the rest is moot */
        }
        return 0;
    case CONSOLEIO_read:
        if (!v->domain->is_privileged)
            return -EPERM;
        return -ENOSYS;
    default:
        return -ENOSYS;
    }
}
