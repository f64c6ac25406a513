/* The guest kit's printf engine (guest/kit/printf.c, built here for the
 * host) must print what the C library prints, for every conversion the
 * kit supports, including truncation and a sink that flushes. */
#include <glib.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../guest/kit/printf.c"

static char kit_buf[512], libc_buf[512];
/* volatile: the compiler must not see (and warn about) the truncation */
static volatile size_t small_size = 6;
static const char *volatile null_string;

static void expect_same(const char *what, int kit_n, int libc_n)
{
    if (strcmp(kit_buf, libc_buf) || kit_n != libc_n)
        g_test_message("%s: kit \"%s\" (%d), libc \"%s\" (%d)", what, kit_buf,
                       kit_n, libc_buf, libc_n);
    g_assert_cmpstr(kit_buf, ==, libc_buf);
    g_assert_cmpint(kit_n, ==, libc_n);
}

/* Formats the same literal arguments with both and compares, in a large
 * buffer and in a 6-byte one (truncation). */
#define SAME(...)                                                              \
    do {                                                                       \
        int kn_ = kit_snprintf(kit_buf, sizeof(kit_buf), __VA_ARGS__);         \
        int ln_ = snprintf(libc_buf, sizeof(libc_buf), __VA_ARGS__);           \
        expect_same(#__VA_ARGS__, kn_, ln_);                                   \
        memset(kit_buf, 'x', sizeof(kit_buf));                                 \
        memset(libc_buf, 'x', sizeof(libc_buf));                               \
        kn_ = kit_snprintf(kit_buf, small_size, __VA_ARGS__);                  \
        ln_ = snprintf(libc_buf, small_size, __VA_ARGS__);                     \
        g_assert_cmpint(memcmp(kit_buf, libc_buf, sizeof(kit_buf)), ==, 0);    \
        g_assert_cmpint(kn_, ==, ln_);                                         \
    } while (0)

static void test_integers(void)
{
    SAME("%d %i %u", 0, -1, 0u);
    SAME("%d|%d|%d", INT_MAX, INT_MIN, 42);
    SAME("%ld|%ld|%lu", LONG_MAX, LONG_MIN, ULONG_MAX);
    SAME("%lld|%llu|%llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
    SAME("%hhd|%hhu|%hd|%hu", 300, 300, 70000, 70000);
    SAME("%zu|%zd|%jd|%ju|%td", (size_t)123, (ssize_t)-5, (intmax_t)-7,
         (uintmax_t)8, (ptrdiff_t)-9);
    SAME("%x|%X|%o", 0xdeadbeefu, 0xdeadbeefu, 0755u);
    SAME("%#x|%#X|%#o|%#x|%#o", 255u, 255u, 8u, 0u, 0u);
    SAME("[%5d][%-5d][%05d][%+d][% d][%+05d][%-+5d]", 42, 42, 42, 42, 42, 42,
         42);
    SAME("[%5d][%05d][%+d][% d][%-6d]", -42, -42, -42, -42, -42);
    SAME("[%.3d][%.0d][%.0d][%5.3d][%-8.4d][%8.3d]", 7, 0, 1, -7, 12, 5);
    SAME("[%.0x][%#.0x][%#.0o][%.0o][%#5.3o]", 0u, 0u, 0u, 0u, 9u);
    SAME("[%#010x][%#-10x][%#10.4x][%010o][%#o]", 0x2au, 0x2au, 0x2au, 8u, 01u);
    SAME("[%*d][%-*d][%*d][%.*d][%.*d]", 6, 1, 6, 2, -6, 3, 4, 5, -1, 6);
    SAME("%lu %lu %lu", 10000000000000000000ul, 999999999999ul, 10ul);
}

static void test_strings(void)
{
    const char *null = null_string;

    SAME("[%s][%10s][%-10s][%.2s][%10.3s][%-10.1s]", "hello", "hi", "hi",
         "hello", "hello", "hello");
    SAME("[%s][%.*s][%*s]", "", 3, "abcdef", -4, "ab");
    SAME("[%c][%3c][%-3c]", 'a', 'b', 'c');
    SAME("100%% [%%] %s%%", "x");
    SAME("[%s][%8s][%.6s][%.3s]", null, null, null, null);
    SAME("no conversions at all, a longer literal run than six bytes");
    SAME("%s", "");
}

static void test_pointers(void)
{
    void *p = (void *)(uintptr_t)0x12345678abcdul;

    SAME("[%p][%20p][%-20p]", p, p, p);
    SAME("[%p][%10p]", (void *)NULL, (void *)NULL);
}

/* A sink with a tiny buffer and a flush that collects: the result must not
 * depend on where flushes fall. */
static void collect(struct kit_sink *s)
{
    g_string_append_len(s->opaque, s->buf, (gssize)s->len);
    s->len = 0;
}

static size_t format_flushing(GString *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t format_flushing(GString *out, size_t cap, const char *fmt, ...)
{
    char small[16];
    struct kit_sink s = {
        .buf = small,
        .cap = cap,
        .flush = collect,
        .opaque = out,
    };
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = kit_vformat(&s, fmt, ap);
    va_end(ap);
    collect(&s);
    return n;
}

static void test_flush(void)
{
    size_t cap;

    for (cap = 1; cap <= 16; cap++) {
        GString *out = g_string_new(NULL);
        size_t n =
            format_flushing(out, cap, "%-30s|%020lu|%#x|%s", "left", 12345ul,
                            0xabcu, "a tail longer than the buffer");

        snprintf(libc_buf, sizeof(libc_buf), "%-30s|%020lu|%#x|%s", "left",
                 12345ul, 0xabcu, "a tail longer than the buffer");
        g_assert_cmpstr(out->str, ==, libc_buf);
        g_assert_cmpuint(n, ==, strlen(libc_buf));
        g_string_free(out, TRUE);
    }
}

static void test_size_zero(void)
{
    char c = 'z';

    g_assert_cmpint(kit_snprintf(NULL, 0, "%d-%s", 12345, "abc"), ==, 9);
    g_assert_cmpint(kit_snprintf(&c, 1, "%d", 7), ==, 1);
    g_assert_cmpint(c, ==, '\0');
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/printf/integers", test_integers);
    g_test_add_func("/guest/printf/strings", test_strings);
    g_test_add_func("/guest/printf/pointers", test_pointers);
    g_test_add_func("/guest/printf/flush", test_flush);
    g_test_add_func("/guest/printf/size-zero", test_size_zero);
    return g_test_run();
}
