/* libxl_vdev.c -- virtual disk names to xenstore device numbers, as
 * xen-vbd-interface(7) specifies:
 *
 *   xvdX[N], dNpM, dN    xen disk: 202<<8 | disk<<4 | part  (disk, part < 16)
 *                                  1<<28 | disk<<8 | part   (disk < 2^20, part < 256)
 *   sdX[N]               scsi:     8<<8 | disk<<4 | part    (disk, part < 16)
 *   hdX[N]               ide:      3<<8 | disk<<6 | part    (disks 0-1, part < 64)
 *                                  22<<8 | (disk-2)<<6 | part (disks 2-3)
 *   a number             used as it is (decimal, 0x hex, 0 octal)
 *
 * The letters X count in bijective base 26: a=0, z=25, aa=26, ...
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_internal.h"

/* Letters as a disk number; -1 when none or too many. */
static int letters(const char **pp)
{
    const char *p = *pp;
    long disk = 0;
    int n = 0;

    while (*p >= 'a' && *p <= 'z') {
        if (++n > 5)
            return -1;
        disk = disk * 26 + (*p - 'a' + 1);
        p++;
    }
    if (!n)
        return -1;
    *pp = p;
    return (int)(disk - 1);
}

/* Decimal digits without a leading zero (except "0"); -1 when malformed. */
static int digits(const char **pp, int max)
{
    const char *p = *pp;
    long v = 0;

    if (!isdigit((unsigned char)*p))
        return -1;
    if (p[0] == '0' && isdigit((unsigned char)p[1]))
        return -1;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p - '0');
        if (v > max)
            return -1;
        p++;
    }
    *pp = p;
    return (int)v;
}

static int encode_xen(int disk, int part)
{
    if (disk < 16 && part < 16)
        return 202 << 8 | disk << 4 | part;
    if (disk < (1 << 20) && part < 256)
        return 1 << 28 | disk << 8 | part;
    return -1;
}

int libxl_device_disk_dev_number(const char *vdev, int *pdisk, int *ppartition)
{
    const char *p = vdev;
    int disk = -1, part = 0, devnum = -1;

    if (pdisk)
        *pdisk = -1;
    if (ppartition)
        *ppartition = -1;
    if (!vdev || !*vdev)
        return -1;

    if (isdigit((unsigned char)vdev[0])) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(vdev, &end, 0);
        if (errno || *end || v == 0 || v > INT_MAX)
            return -1;
        return (int)v;
    }
    if (strncmp(p, "xvd", 3) == 0 || strncmp(p, "sd", 2) == 0 || strncmp(p, "hd", 2) == 0) {
        char kind = p[0];

        p += kind == 'x' ? 3 : 2;
        disk = letters(&p);
        if (disk < 0)
            return -1;
        if (*p) {
            part = digits(&p, 255);
            if (part < 0 || *p)
                return -1;
        }
        if (kind == 'x')
            devnum = encode_xen(disk, part);
        else if (kind == 's')
            devnum = disk < 16 && part < 16 ? 8 << 8 | disk << 4 | part : -1;
        else if (disk < 2 && part < 64)
            devnum = 3 << 8 | disk << 6 | part;
        else if (disk < 4 && part < 64)
            devnum = 22 << 8 | (disk - 2) << 6 | part;
    } else if (p[0] == 'd') {
        p++;
        disk = digits(&p, (1 << 20) - 1);
        if (disk < 0)
            return -1;
        if (*p == 'p') {
            p++;
            part = digits(&p, 255);
            if (part < 0)
                return -1;
        }
        if (*p)
            return -1;
        devnum = encode_xen(disk, part);
    }
    if (devnum < 0)
        return -1;
    if (pdisk)
        *pdisk = disk;
    if (ppartition)
        *ppartition = part;
    return devnum;
}
