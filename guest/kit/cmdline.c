/* The start info command line: whitespace-separated key=value words. */
#include "kit.h"

#define CMDLINE_MAX 4096

const char *kit_cmdline(void)
{
    const struct hvm_start_info *si = kit_start_info;

    if (!si || !si->cmdline_paddr || si->cmdline_paddr >= 0x100000000ull)
        return "";
    return (const char *)(uintptr_t)si->cmdline_paddr;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *kit_cmdline_get(const char *key, size_t *len)
{
    const char *p = kit_cmdline(), *end = p + strnlen(p, CMDLINE_MAX);
    size_t klen = strlen(key);

    while (p < end) {
        const char *w;

        while (p < end && is_space(*p))
            p++;
        w = p;
        while (p < end && !is_space(*p))
            p++;
        if ((size_t)(p - w) < klen || strncmp(w, key, klen))
            continue;
        if ((size_t)(p - w) == klen) { /* a bare "key" */
            *len = 0;
            return w + klen;
        }
        if (w[klen] == '=') {
            *len = (size_t)(p - w) - klen - 1;
            return w + klen + 1;
        }
    }
    return NULL;
}

int kit_cmdline_u64(const char *key, uint64_t *val)
{
    size_t len, i = 0;
    const char *v = kit_cmdline_get(key, &len);
    unsigned int base = 10;
    uint64_t n = 0;

    if (!v || !len)
        return -1;
    if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        base = 16;
        i = 2;
    }
    for (; i < len; i++) {
        char c = v[i];
        unsigned int d;

        if (c >= '0' && c <= '9')
            d = (unsigned int)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned int)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned int)(c - 'A' + 10);
        else
            return -1;
        if (n > (UINT64_MAX - d) / base)
            return -1;
        n = n * base + d;
    }
    *val = n;
    return 0;
}
