/* xenstore, xenstore-read, -write, -rm, -exists, -list, -ls, -chmod,
 * -watch, -control: the XenStore commands.
 *
 * One program; the mode comes from the name it is run as ("xenstore-ls")
 * or, for "xenstore", from its first argument ("xenstore ls").  Options,
 * output formats, escaping of values and messages are those of Xen's
 * commands (xenstore-read(1), xenstore-ls(1), ...), so scripts written
 * for Xen behave the same.  Each mode is a row of one table: its options,
 * usage, whether it runs in a transaction, its handler.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xenstore.h"

/* ------------------------------------------------------------------ */
/* Messages: "prog: text", like err(3), with the name we were run as. */

static const char *progname = "xenstore";

static void vmessage(const char *fmt, va_list ap, int errnum)
{
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    if (errnum >= 0)
        fprintf(stderr, ": %s", strerror(errnum));
    fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) warn_msg(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(fmt, ap, -1);
    va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) warn_errno(const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    va_start(ap, fmt);
    vmessage(fmt, ap, e);
    va_end(ap);
}

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(fmt, ap, -1);
    va_end(ap);
    exit(1);
}

static void __attribute__((format(printf, 1, 2), noreturn)) die_errno(const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    va_start(ap, fmt);
    vmessage(fmt, ap, e);
    va_end(ap);
    exit(1);
}

/* ------------------------------------------------------------------ */
/* Output collected until the transaction is over, then printed. */

static char *out_buf;
static size_t out_len, out_cap;

static void out_bytes(const void *p, size_t len)
{
    if (out_len + len + 1 > out_cap) {
        out_cap = (out_len + len + 1) * 2;
        out_buf = realloc(out_buf, out_cap);
        if (!out_buf)
            die("out of memory");
    }
    memcpy(out_buf + out_len, p, len);
    out_len += len;
}

static void __attribute__((format(printf, 1, 2))) out_printf(const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        die("output error");
    if ((size_t)n < sizeof(small)) {
        out_bytes(small, (size_t)n);
        return;
    }
    {
        char *big = malloc((size_t)n + 1);

        if (!big)
            die("out of memory");
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        out_bytes(big, (size_t)n);
        free(big);
    }
}

/* ------------------------------------------------------------------ */
/* Escaping of values: printable ASCII as is, backslash doubled, \t \n \r,
 * other bytes as \ooo (below 8) or \xNN. */

static char *escape_buf;
static size_t escape_cap;

static const char *escape_value(const char *val, unsigned int len)
{
    size_t need = (size_t)len * 4 + 1, o = 0;

    if (need > escape_cap) {
        escape_cap = need;
        escape_buf = realloc(escape_buf, escape_cap);
        if (!escape_buf)
            die("out of memory");
    }
    for (unsigned int i = 0; i < len; i++) {
        unsigned char c = (unsigned char)val[i];

        if (c == '\\') {
            escape_buf[o++] = '\\';
            escape_buf[o++] = '\\';
        } else if (c == '\t' || c == '\n' || c == '\r') {
            escape_buf[o++] = '\\';
            escape_buf[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
        } else if (c >= ' ' && c <= '~') {
            escape_buf[o++] = (char)c;
        } else if (c < 8) {
            o += (size_t)sprintf(escape_buf + o, "\\%03o", c);
        } else {
            o += (size_t)sprintf(escape_buf + o, "\\x%02x", c);
        }
    }
    escape_buf[o] = '\0';
    return escape_buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The reverse: \t \n \r \\, \x with one or two hex digits, \ with one to
 * three octal digits; any other escaped character stands for itself, and
 * a final lone backslash for a NUL byte. */
static char *unescape_value(const char *s, unsigned int *len)
{
    char *out = malloc(strlen(s) + 1), *o = out;

    if (!out)
        die("out of memory");
    while (*s) {
        char c = *s++;

        if (c != '\\') {
            *o++ = c;
            continue;
        }
        c = *s++;
        switch (c) {
        case '\0':
            *o++ = '\0';
            s--;
            goto done;
        case 't': *o++ = '\t'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 'x': {
            int v = 0, n = 0;

            while (n < 2 && hexval(*s) >= 0)
                v = v * 16 + hexval(*s++), n++;
            *o++ = n ? (char)v : 'x';
            break;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            int v = c - '0', n = 1;

            while (n < 3 && *s >= '0' && *s <= '7')
                v = v * 8 + (*s++ - '0'), n++;
            *o++ = (char)v;
            break;
        }
        default:
            *o++ = c;
            break;
        }
    }
done:
    *len = (unsigned int)(o - out);
    return out;
}

/* ------------------------------------------------------------------ */
/* Modes */

struct opts {
    bool prefix;               /* -p */
    bool full;                 /* -f */
    bool raw;                  /* -R */
    bool tidy;                 /* -t */
    bool upto;                 /* -u */
    bool recurse;              /* -r */
    long count;                /* -n, -1: for ever */
};

struct mode {
    const char *name;
    const char *flags;         /* options this mode takes (besides h and s) */
    const char *usage;
    int (*run)(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
               const struct opts *o);
    /* Transaction: 0 never, 1 always, n: when more than n arguments. */
    int txn;
    int min_args;
    bool pairs;                /* arguments come in key value pairs */
};

static int ls_max_width = 80;
static int ls_desired_width = 60;

static int run_read(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                    const struct opts *o)
{
    for (int i = 0; i < argc; i++) {
        unsigned int len;
        char *val = xs_read(h, t, argv[i], &len);

        if (!val) {
            warn_msg("couldn't read path %s", argv[i]);
            return 1;
        }
        if (o->prefix)
            out_printf("%s: ", argv[i]);
        if (o->raw) {
            out_bytes(val, len);
        } else {
            out_printf("%s\n", escape_value(val, len));
        }
        free(val);
    }
    return 0;
}

static int run_write(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                     const struct opts *o)
{
    for (int i = 0; i + 1 < argc; i += 2) {
        unsigned int len;
        char *val;
        bool ok;

        if (o->raw) {
            val = strdup(argv[i + 1]);
            if (!val)
                die("out of memory");
            len = (unsigned int)strlen(val);
        } else {
            val = unescape_value(argv[i + 1], &len);
        }
        ok = xs_write(h, t, argv[i], val, len);
        free(val);
        if (!ok) {
            warn_msg("could not write path %s", argv[i]);
            return 1;
        }
    }
    return 0;
}

static int remove_path(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    if (xs_rm(h, t, path))
        return 0;
    warn_msg("could not remove path %s", path);
    return 1;
}

static int run_rm(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                  const struct opts *o)
{
    for (int i = 0; i < argc; i++) {
        char *path, *slash;

        if (!o->tidy) {
            if (remove_path(h, t, argv[i]))
                return 1;
            continue;
        }
        /* -t: then remove each parent that is left empty, without value
         * and without children, up to the root. */
        path = strdup(argv[i]);
        if (!path)
            die("out of memory");
        for (;;) {
            unsigned int len, num;
            char *val;
            char **list;
            bool empty;

            if (remove_path(h, t, path)) {
                free(path);
                return 1;
            }
            slash = strrchr(path, '/');
            if (!slash)
                break;
            *slash = '\0';
            val = xs_read(h, t, path, &len);
            if (!val)
                break;
            free(val);
            if (len)
                break;
            list = xs_directory(h, t, path, &num);
            empty = list && num == 0;
            free(list);
            if (!empty)
                break;
        }
        free(path);
    }
    return 0;
}

static int run_exists(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                      const struct opts *o)
{
    for (int i = 0; i < argc; i++) {
        char *val = xs_read(h, t, argv[i], NULL);

        if (!val)
            return 1;
        free(val);
    }
    return 0;
}

static int run_list(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                    const struct opts *o)
{
    for (int i = 0; i < argc; i++) {
        unsigned int num;
        char **list = xs_directory(h, t, argv[i], &num);

        if (!list) {
            warn_msg("could not list path %s", argv[i]);
            return 1;
        }
        for (unsigned int k = 0; k < num; k++) {
            if (o->prefix)
                out_printf("%s/", argv[i]);
            out_printf("%s\n", list[k]);
        }
        free(list);
    }
    return 0;
}

/* One line per node: indented name (or full path with -f), value escaped
 * and cut to the line width, and with -p the permissions, aligned with
 * dots to column 60. */
static void ls_tree(struct xs_handle *h, const char *path, int depth, const struct opts *o)
{
    static const char tag[] = " = \"...\"";
    const int tag_len = (int)strlen(tag);
    unsigned int num;
    char **e = xs_directory(h, XBT_NULL, path, &num);
    size_t plen = strlen(path);

    if (!e)
        die_errno("xs_directory (%s)", path);
    for (unsigned int i = 0; i < num; i++) {
        size_t clen = strlen(e[i]);
        char *child = malloc(plen + 1 + clen + 1);
        unsigned int len;
        char *val;
        int width = 0;

        if (!child)
            die("out of memory");
        sprintf(child, "%s%s%s", path, path[plen - 1] == '/' ? "" : "/", e[i]);
        if (o->full) {
            fputs(child, stdout);
        } else {
            for (; width < depth; width++)
                putchar(' ');
            width += printf("%.*s", ls_max_width - tag_len - width, e[i]);
        }
        val = xs_read(h, XBT_NULL, child, &len);
        if (!val) {
            fputs(":\n", stdout);
        } else if (ls_max_width < width + (int)len + tag_len) {
            printf(" = \"%.*s\\...\"", ls_max_width - tag_len - width, escape_value(val, len));
        } else {
            width += printf(" = \"%s\"", escape_value(val, len));
            if (o->prefix) {
                putchar(' ');
                for (width++; width < ls_desired_width && width < ls_max_width; width++)
                    putchar(width & 1 ? '.' : ' ');
            }
        }
        free(val);
        if (o->prefix) {
            unsigned int nperms;
            struct xs_permissions *perms = xs_get_permissions(h, XBT_NULL, child, &nperms);

            if (!perms) {
                warn_errno("\ncould not access permissions for %s", e[i]);
            } else {
                fputs("  (", stdout);
                for (unsigned int k = 0; k < nperms; k++) {
                    char buf[MAX_STRLEN(unsigned int) + 1];

                    if (k)
                        putchar(',');
                    xs_perm_to_string(&perms[k], buf, sizeof(buf));
                    fputs(buf, stdout);
                }
                putchar(')');
                free(perms);
            }
        }
        putchar('\n');
        ls_tree(h, child, depth + 1, o);
        free(child);
    }
    free(e);
}

static int run_ls(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                  const struct opts *o)
{
    if (argc == 0) {
        ls_tree(h, "/", 0, o);
        return 0;
    }
    for (int i = 0; i < argc; i++)
        ls_tree(h, argv[i], 0, o);
    return 0;
}

static void chmod_path(struct xs_handle *h, xs_transaction_t t, char *path,
                       struct xs_permissions *perms, unsigned int nperms, bool upto,
                       bool recurse)
{
    if (!path[0])
        return;
    if (!xs_set_permissions(h, t, path, perms, nperms))
        die_errno("Error occurred setting permissions on '%s'", path);
    if (upto) {
        char *slash = strrchr(path, '/');

        if (!slash)
            die("Unable to locate path separator '/' in '%s'", path);
        *slash = '\0';
        chmod_path(h, t, path, perms, nperms, true, false);
        *slash = '/';
    }
    if (recurse) {
        unsigned int num;
        char **list = xs_directory(h, t, path, &num);

        for (unsigned int i = 0; list && i < num; i++) {
            char *child = malloc(strlen(path) + 1 + strlen(list[i]) + 1);

            if (!child)
                die("out of memory");
            sprintf(child, "%s/%s", path, list[i]);
            chmod_path(h, t, child, perms, nperms, false, true);
            free(child);
        }
        free(list);
    }
}

static int run_chmod(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                     const struct opts *o)
{
    unsigned int nperms = (unsigned int)argc - 1;
    struct xs_permissions *perms = calloc(nperms ? nperms : 1, sizeof(*perms));
    char *path = strdup(argv[0]);

    if (!perms || !path)
        die("out of memory");
    for (unsigned int i = 0; i < nperms; i++) {
        const char *p = argv[i + 1];

        perms[i].id = (unsigned int)atoi(p + (p[0] ? 1 : 0));
        switch (p[0]) {
        case 'n': perms[i].perms = XS_PERM_NONE; break;
        case 'r': perms[i].perms = XS_PERM_READ; break;
        case 'w': perms[i].perms = XS_PERM_WRITE; break;
        case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
        default:
            die("Invalid permission specification: '%c'", p[0]);
        }
    }
    chmod_path(h, t, path, perms, nperms, o->upto, o->recurse);
    free(path);
    free(perms);
    return 0;
}

static int run_watch(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                     const struct opts *o)
{
    for (int i = 0; i < argc; i++)
        if (!xs_watch(h, argv[i], argv[i]))
            die("Unable to add watch on %s", argv[i]);
    for (long n = 0; o->count < 0 || n < o->count; n++) {
        unsigned int num;
        char **ev = xs_read_watch(h, &num);

        if (!ev)
            die_errno("reading watch events");
        printf("%s\n", ev[XS_WATCH_PATH]);
        fflush(stdout);
        free(ev);
    }
    return 0;
}

static int run_control(struct xs_handle *h, xs_transaction_t t, int argc, char **argv,
                       const struct opts *o)
{
    size_t len = 0;
    char *args = NULL, *reply;

    for (int i = 1; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;

        args = realloc(args, len + l);
        if (!args)
            die("out of memory");
        memcpy(args + len, argv[i], l);
        len += l;
    }
    reply = xs_control_command(h, argv[0], args, (unsigned int)len);
    free(args);
    if (!reply) {
        warn_errno("CONTROL %s failed", argv[0]);
        return 1;
    }
    out_printf("%s", reply);
    if (reply[0] && reply[strlen(reply) - 1] != '\n')
        out_printf("\n");
    free(reply);
    return 0;
}

static const struct mode modes[] = {
    { "read", "pR", "[-h] [-p] [-s] [-R] key [...]", run_read, 1, 1, false },
    { "write", "R", "[-h] [-s] [-R] key value [...]", run_write, 2, 1, true },
    { "rm", "t", "[-h] [-s] [-t] key [...]", run_rm, -1, 1, false },
    { "exists", "", "[-h] [-p] [-s] key [...]", run_exists, -1, 1, false },
    { "list", "p", "[-h] [-p] [-s] key [...]", run_list, -1, 1, false },
    { "ls", "fp", "[-h] [-f] [-p] [-s] [path]", run_ls, 0, 0, false },
    { "chmod", "ur", "[-h] [-u] [-r] [-s] key <mode [modes...]>", run_chmod, -1, 1, false },
    { "watch", "n", "[-h] [-n NR] key", run_watch, 0, 1, false },
    { "control", "", "[-h] command [argument...]", run_control, 0, 1, false },
};

static void __attribute__((noreturn)) usage(const struct mode *m, bool with_mode,
                                            const char *argv0)
{
    if (!m)
        die("Usage: %s <mode> [-h] [...]", argv0);
    die("Usage: %s %s%s%s", argv0, with_mode ? m->name : "", with_mode ? " " : "", m->usage);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "socket", no_argument, NULL, 's' },
        { "prefix", no_argument, NULL, 'p' },
        { "flat", no_argument, NULL, 'f' },
        { "tidy", no_argument, NULL, 't' },
        { "upto", no_argument, NULL, 'u' },
        { "recurse", no_argument, NULL, 'r' },
        { "number", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    const char *base = strrchr(argv[0], '/');
    const struct mode *m = NULL;
    struct opts o = { .count = -1 };
    struct xs_handle *h;
    xs_transaction_t t = XBT_NULL;
    bool with_mode = false, txn;
    int shift = 0, nargs, ret, c;
    const char *name;

    base = base ? base + 1 : argv[0];
    if (strncmp(base, "lt-", 3) == 0)   /* libtool's name in a build tree */
        base += 3;
    progname = base;
    if (strncmp(base, "xenstore-", 9) == 0) {
        name = base + 9;
    } else {
        if (argc < 2)
            usage(NULL, false, argv[0]);
        name = argv[1];
        shift = 1;
        with_mode = true;
    }
    for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(modes[i].name, name) == 0)
            m = &modes[i];
    if (!m)
        die("unknown mode %s\n", name);

    argc -= shift;
    argv += shift;
    while ((c = getopt_long(argc, argv, "hfspturn:R", longopts, NULL)) != -1) {
        if (c == '?')
            continue;           /* getopt said it; carry on as Xen's do */
        if (c == 'h')
            usage(m, with_mode, argv[-shift]);
        if (c == 's')
            continue;           /* the socket is all there is */
        if (!strchr(m->flags, c))
            usage(m, with_mode, argv[-shift]);
        switch (c) {
        case 'p': o.prefix = true; break;
        case 'f':
            o.full = true;
            ls_max_width = INT_MAX / 2;
            ls_desired_width = 0;
            break;
        case 'R': o.raw = true; break;
        case 't': o.tidy = true; break;
        case 'u': o.upto = true; break;
        case 'r': o.recurse = true; break;
        case 'n': o.count = atol(optarg); break;
        }
    }
    nargs = argc - optind;
    if (nargs < m->min_args || (m->pairs && nargs % 2))
        usage(m, with_mode, argv[-shift]);
    if (m->txn < 0)
        txn = true;
    else
        txn = m->txn > 0 && nargs > m->txn;

    if (m->run == run_ls) {
        struct winsize ws;

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
            ls_max_width = ws.ws_col - 2;
    }

    h = xs_open(0);
    if (!h)
        die_errno("xs_open");
    for (;;) {
        if (txn) {
            t = xs_transaction_start(h);
            if (t == XBT_NULL)
                die("couldn't start transaction");
        }
        ret = m->run(h, t, nargs, argv + optind, &o);
        if (txn && !xs_transaction_end(h, t, ret != 0)) {
            if (ret == 0 && errno == EAGAIN) {
                out_len = 0;
                continue;
            }
            die("couldn't end transaction");
        }
        break;
    }
    if (out_len)
        fwrite(out_buf, 1, out_len, stdout);
    free(out_buf);
    free(escape_buf);
    xs_close(h);
    return ret;
}
