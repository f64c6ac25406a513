/* libxlu_cfg.c -- the XLU_Config object: reading sources, storing
 * settings, the getters of libxlutil.h, and located reporting.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libxlu_internal.h"

/* ------------------------------------------------------------ allocation */

static void xlu__oom(void)
{
    fputs("libxlutil: out of memory\n", stderr);
    abort();
}

void *xlu__zalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (!p)
        xlu__oom();
    return p;
}

void *xlu__realloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        xlu__oom();
    return p;
}

char *xlu__strdup(const char *s)
{
    char *p = strdup(s);

    if (!p)
        xlu__oom();
    return p;
}

char *xlu__strndup(const char *s, size_t n)
{
    char *p = strndup(s, n);

    if (!p)
        xlu__oom();
    return p;
}

char *xlu__vsprintf(const char *fmt, va_list ap)
{
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0)
        xlu__oom();
    return s;
}

char *xlu__sprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xlu__vsprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---------------------------------------------------------------- values */

XLU_ConfigValue *xlu__value_new_string(char *s, bool is_number, bool verbatim, xlu__loc loc)
{
    XLU_ConfigValue *v = xlu__zalloc(sizeof(*v));

    v->type = XLU_STRING;
    v->string = s;
    v->is_number = is_number;
    v->verbatim = verbatim || is_number;
    v->loc = loc;
    return v;
}

XLU_ConfigValue *xlu__value_new_list(xlu__loc loc)
{
    XLU_ConfigValue *v = xlu__zalloc(sizeof(*v));

    v->type = XLU_LIST;
    v->loc = loc;
    return v;
}

void xlu__list_append(XLU_ConfigList *list, XLU_ConfigValue *item)
{
    if (list->nvalues == list->avalues) {
        list->avalues = list->avalues ? list->avalues * 2 : 4;
        list->values = xlu__realloc(list->values, (size_t)list->avalues * sizeof(*list->values));
    }
    list->values[list->nvalues++] = item;
}

void xlu__value_free(XLU_ConfigValue *v)
{
    if (!v)
        return;
    if (v->type == XLU_LIST) {
        for (int i = 0; i < v->list.nvalues; i++)
            xlu__value_free(v->list.values[i]);
        free(v->list.values);
    }
    free(v->string);
    free(v);
}

/* -------------------------------------------------------------- the config */

XLU_Config *xlu_cfg_init(FILE *report, const char *report_filename)
{
    XLU_Config *cfg = calloc(1, sizeof(*cfg));

    if (!cfg)
        return NULL;
    cfg->counts = calloc(1, sizeof(*cfg->counts));
    cfg->config_source = strdup(report_filename ? report_filename : "<config>");
    if (!cfg->counts || !cfg->config_source) {
        free(cfg->counts);
        free(cfg->config_source);
        free(cfg);
        return NULL;
    }
    cfg->report = report;
    cfg->tail = &cfg->settings;
    return cfg;
}

void xlu_cfg_destroy(XLU_Config *cfg)
{
    XLU_ConfigSetting *s, *next;

    if (!cfg)
        return;
    for (s = cfg->settings; s; s = next) {
        next = s->next;
        free(s->name);
        xlu__value_free(s->value);
        free(s);
    }
    for (int i = 0; i < cfg->nsources; i++)
        free(cfg->sources[i]);
    free(cfg->sources);
    free(cfg->config_source);
    free(cfg->counts);
    free(cfg);
}

const char *xlu__cfg_add_source(XLU_Config *cfg, const char *name)
{
    for (int i = 0; i < cfg->nsources; i++)
        if (strcmp(cfg->sources[i], name) == 0)
            return cfg->sources[i];
    cfg->sources = xlu__realloc(cfg->sources, ((size_t)cfg->nsources + 1) * sizeof(char *));
    cfg->sources[cfg->nsources] = xlu__strdup(name);
    return cfg->sources[cfg->nsources++];
}

static XLU_ConfigSetting *find_last(const XLU_Config *cfg, const char *n, bool mark)
{
    XLU_ConfigSetting *s, *last = NULL;

    for (s = cfg->settings; s; s = s->next) {
        if (strcmp(s->name, n) == 0) {
            if (mark)
                s->used = true;
            last = s;
        }
    }
    return last;
}

XLU_ConfigSetting *xlu__cfg_find(const XLU_Config *cfg, const char *n)
{
    return find_last(cfg, n, true);
}

int xlu__cfg_set(XLU_Config *cfg, char *name, xlu__loc key_loc, enum XLU_Operation op,
                 XLU_ConfigValue *value)
{
    XLU_ConfigSetting *prev = op == XLU_OP_ADDITION ? find_last(cfg, name, false) : NULL;
    XLU_ConfigSetting *s;

    if (prev) {
        XLU_ConfigValue *pv = prev->value;

        if (pv->type == XLU_LIST) {
            if (value->type == XLU_LIST) {
                for (int i = 0; i < value->list.nvalues; i++)
                    xlu__list_append(&pv->list, value->list.values[i]);
                value->list.nvalues = 0;
            } else {
                xlu__list_append(&pv->list, value);
                value = NULL;
            }
        } else if (value->type == XLU_STRING) {
            char *joined = xlu__sprintf("%s%s", pv->string, value->string);

            free(pv->string);
            pv->string = joined;
            pv->is_number = false;
            pv->verbatim = false;
        } else {
            xlu__report_loc(cfg, &key_loc, true,
                            "%s += [...]: %s was set to a string at line %d, column %d; "
                            "+= adds a list only to a list", name, name,
                            pv->loc.line, pv->loc.col);
            xlu__value_free(value);
            free(name);
            return EINVAL;
        }
        xlu__value_free(value);
        free(name);
        return 0;
    }
    s = xlu__zalloc(sizeof(*s));
    s->name = name;
    s->value = value;
    s->loc = key_loc;
    *cfg->tail = s;
    cfg->tail = &s->next;
    return 0;
}

/* ----------------------------------------------------------------- reading */

int xlu_cfg_readdata_source(XLU_Config *cfg, const char *source, const char *data, int length)
{
    if (length < 0)
        return EINVAL;
    if (length > XLU_MAX_FILE_SIZE) {
        xlu__report_loc(cfg, NULL, true, "%s is larger than %d bytes: is it an xl.cfg file?",
                        source, XLU_MAX_FILE_SIZE);
        return EFBIG;
    }
    return xlu__parse(cfg, source, data, (size_t)length);
}

int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length)
{
    return xlu_cfg_readdata_source(cfg, cfg->config_source, data, length);
}

int xlu_cfg_read_override(XLU_Config *cfg, int index, const char *arg)
{
    char *source = xlu__sprintf("command line argument %d", index);
    size_t len = strlen(arg);
    int rc;

    rc = len > (size_t)XLU_MAX_FILE_SIZE ? EFBIG
                                         : xlu_cfg_readdata_source(cfg, source, arg, (int)len);
    free(source);
    return rc;
}

int xlu__read_all(int fd, char **data, size_t *len)
{
    *data = xlu__zalloc((size_t)XLU_MAX_FILE_SIZE + 2);
    *len = 0;
    for (;;) {
        ssize_t n = read(fd, *data + *len, (size_t)XLU_MAX_FILE_SIZE + 1 - *len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            return 0;
        *len += (size_t)n;
        if (*len > (size_t)XLU_MAX_FILE_SIZE)
            return EFBIG;
    }
}

int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename)
{
    int fd = -1, rc = 0;
    struct stat st;
    char *data = NULL;
    size_t len = 0;

    fd = open(real_filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = errno;
        xlu__report_loc(cfg, NULL, true, "cannot open %s: %s", real_filename, strerror(rc));
        goto out;
    }
    if (fstat(fd, &st) < 0) {
        rc = errno;
        xlu__report_loc(cfg, NULL, true, "cannot read %s: %s", real_filename, strerror(rc));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = EISDIR;
        xlu__report_loc(cfg, NULL, true, "%s is a directory, not a configuration file",
                        real_filename);
        goto out;
    }
    rc = xlu__read_all(fd, &data, &len);
    if (rc == EFBIG)
        xlu__report_loc(cfg, NULL, true, "%s is larger than %d bytes: is it an xl.cfg file?",
                        real_filename, XLU_MAX_FILE_SIZE);
    else if (rc)
        xlu__report_loc(cfg, NULL, true, "cannot read %s: %s", real_filename, strerror(rc));
    else
        rc = xlu__parse(cfg, cfg->config_source, data, len);
out:
    free(data);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* --------------------------------------------------------------- reporting */

static void report_line(const XLU_Config *cfg, const char *where, bool is_error,
                        const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void report_line(const XLU_Config *cfg, const char *where, bool is_error,
                        const char *fmt, va_list ap)
{
    if (is_error)
        cfg->counts->errors++;
    else
        cfg->counts->warnings++;
    if (!cfg->report)
        return;
    {
        char *msg = xlu__vsprintf(fmt, ap);

        /* one fprintf: one line, never interleaved */
        fprintf(cfg->report, "%s: %s: %s\n", where, is_error ? "error" : "warning", msg);
        free(msg);
    }
}

void xlu__vreport_loc(const XLU_Config *cfg, const xlu__loc *loc, bool is_error,
                      const char *fmt, va_list ap)
{
    char *where;

    if (loc && loc->line > 0)
        where = xlu__sprintf("%s:%d:%d", loc->source, loc->line, loc->col);
    else
        where = xlu__strdup(loc && loc->source ? loc->source : cfg->config_source);
    report_line(cfg, where, is_error, fmt, ap);
    free(where);
}

void xlu__report_loc(const XLU_Config *cfg, const xlu__loc *loc, bool is_error,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xlu__vreport_loc(cfg, loc, is_error, fmt, ap);
    va_end(ap);
}

void xlu__report_at(const XLU_Config *cfg, const XLU_ConfigValue *where, int offset,
                    bool is_error, const char *fmt, ...)
{
    va_list ap;
    xlu__loc loc;

    va_start(ap, fmt);
    if (!where) {
        xlu__vreport_loc(cfg, NULL, is_error, fmt, ap);
        va_end(ap);
        return;
    }
    loc = where->loc;
    if (offset >= 0 && where->type == XLU_STRING && where->verbatim &&
        (size_t)offset <= strlen(where->string)) {
        loc.col += where->is_number ? 0 : 1;
        for (int i = 0; i < offset; i++)
            if (((unsigned char)where->string[i] & 0xc0) != 0x80)
                loc.col++;
    }
    xlu__vreport_loc(cfg, &loc, is_error, fmt, ap);
    va_end(ap);
}

void xlu__vreport_spec(const XLU_Config *cfg, const XLU_ConfigValue *where, const char *kind,
                       const char *spec, const char *at, bool is_error, const char *fmt,
                       va_list ap)
{
    char *msg = xlu__vsprintf(fmt, ap);

    if (where) {
        xlu__report_at(cfg, where, at ? (int)(at - spec) : -1, is_error, "%s: %s", kind, msg);
    } else {
        char *q = xlu__quote(spec);

        xlu__report_at(cfg, NULL, -1, is_error, "%s %s: %s", kind, q, msg);
        free(q);
    }
    free(msg);
}

void xlu_cfg_report(const XLU_Config *cfg, const XLU_ConfigValue *where, bool is_error,
                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xlu__vreport_loc(cfg, where ? &where->loc : NULL, is_error, fmt, ap);
    va_end(ap);
}

int xlu_cfg_error_count(const XLU_Config *cfg)
{
    return cfg->counts->errors;
}

int xlu_cfg_warning_count(const XLU_Config *cfg)
{
    return cfg->counts->warnings;
}

char *xlu__list_item(const char *start, const char **end)
{
    const char *e;

    *end = strchr(start, ',');
    if (!*end)
        *end = start + strlen(start);
    for (e = *end; e > start && (e[-1] == ' ' || e[-1] == '\t'); e--)
        ;
    return xlu__strndup(start, (size_t)(e - start));
}

char *xlu__quote(const char *s)
{
    size_t cap = strlen(s) * 4 + 8, n = 0, shown = 0;
    char *q = xlu__zalloc(cap);

    q[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (shown >= 60) {
            n += (size_t)snprintf(q + n, cap - n, "...");
            break;
        }
        if ((*p & 0xc0) != 0x80)
            shown++;
        if (*p == '"' || *p == '\\')
            n += (size_t)snprintf(q + n, cap - n, "\\%c", *p);
        else if (*p == '\n')
            n += (size_t)snprintf(q + n, cap - n, "\\n");
        else if (*p == '\t')
            n += (size_t)snprintf(q + n, cap - n, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(q + n, cap - n, "\\x%02x", *p);
        else
            q[n++] = (char)*p;
    }
    q[n++] = '"';
    q[n] = '\0';
    return q;
}

char *xlu__describe(const XLU_ConfigValue *v)
{
    if (v->type == XLU_LIST)
        return xlu__strdup("a list");
    if (v->is_number)
        return xlu__strdup(v->string);
    return xlu__quote(v->string);
}

void xlu_cfg_value_location(const XLU_ConfigValue *value, const char **source,
                            int *line, int *col)
{
    if (source)
        *source = value->loc.source;
    if (line)
        *line = value->loc.line;
    if (col)
        *col = value->loc.col;
}

/* ----------------------------------------------------------------- getters */

XLU_ConfigValue *xlu_cfg_get_value(const XLU_Config *cfg, const char *n)
{
    XLU_ConfigSetting *s = xlu__cfg_find(cfg, n);

    return s ? s->value : NULL;
}

bool xlu_cfg_value_is_number(const XLU_ConfigValue *value)
{
    return value->type == XLU_STRING && value->is_number;
}

int xlu_cfg_list_length(const XLU_ConfigList *list)
{
    return list->nvalues;
}

enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value)
{
    return value->type;
}

int xlu_cfg_value_get_string(const XLU_Config *cfg, XLU_ConfigValue *value, char **value_r,
                             int dont_warn)
{
    if (value->type != XLU_STRING) {
        if (!dont_warn)
            xlu__report_loc(cfg, &value->loc, true, "expected a string, got a list");
        return EINVAL;
    }
    *value_r = value->string;
    return 0;
}

int xlu_cfg_value_get_list(const XLU_Config *cfg, XLU_ConfigValue *value,
                           XLU_ConfigList **value_r, int dont_warn)
{
    if (value->type != XLU_LIST) {
        if (!dont_warn)
            xlu__report_loc(cfg, &value->loc, true, "expected a list, got %s",
                            value->is_number ? "a number" : "a string");
        return EINVAL;
    }
    *value_r = &value->list;
    return 0;
}

int xlu_cfg_get_string(const XLU_Config *cfg, const char *n, const char **value_r,
                       int dont_warn)
{
    XLU_ConfigSetting *s = xlu__cfg_find(cfg, n);

    if (!s)
        return ESRCH;
    if (s->value->type != XLU_STRING) {
        if (!dont_warn)
            xlu__report_loc(cfg, &s->value->loc, true, "%s: expected a string, got a list", n);
        return EINVAL;
    }
    *value_r = s->value->string;
    return 0;
}

int xlu_cfg_replace_string(const XLU_Config *cfg, const char *n, char **value_r,
                           int dont_warn)
{
    const char *v;
    int rc = xlu_cfg_get_string(cfg, n, &v, dont_warn);

    if (rc)
        return rc;
    free(*value_r);
    *value_r = xlu__strdup(v);
    return 0;
}

/* A whole number in C syntax (decimal, 0-octal, 0x-hex, optional sign). */
static int parse_long(const char *s, long *out)
{
    char *end;
    long v;

    if (!s[0] || !(s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9')))
        return EINVAL;
    errno = 0;
    v = strtol(s, &end, 0);
    if (*end)
        return EINVAL;
    if (errno == ERANGE)
        return ERANGE;
    *out = v;
    return 0;
}

int xlu_cfg_get_long(const XLU_Config *cfg, const char *n, long *value_r, int dont_warn)
{
    XLU_ConfigSetting *s = xlu__cfg_find(cfg, n);
    int rc;

    if (!s)
        return ESRCH;
    if (s->value->type != XLU_STRING) {
        if (!dont_warn)
            xlu__report_loc(cfg, &s->value->loc, true, "%s: expected a number, got a list", n);
        return EINVAL;
    }
    rc = parse_long(s->value->string, value_r);
    if (rc && !dont_warn) {
        char *d = xlu__describe(s->value);

        if (rc == ERANGE)
            xlu__report_loc(cfg, &s->value->loc, true, "%s: %s is out of range", n, d);
        else
            xlu__report_loc(cfg, &s->value->loc, true, "%s: expected a number, got %s", n, d);
        free(d);
    }
    return rc;
}

int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *n, long min, long max,
                             long *value_r, int dont_warn)
{
    long v;
    int rc = xlu_cfg_get_long(cfg, n, &v, dont_warn);

    if (rc == ERANGE || (!rc && (v < min || v > max))) {
        if (!dont_warn && !rc) {
            XLU_ConfigSetting *s = xlu__cfg_find(cfg, n);

            xlu__report_loc(cfg, &s->value->loc, true,
                            "%s=%s is out of range: it must be between %ld and %ld",
                            n, s->value->string, min, max);
        }
        return ERANGE;
    }
    if (!rc)
        *value_r = v;
    return rc;
}

int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *n, libxl_defbool *b,
                        int dont_warn)
{
    long l;
    int rc = xlu_cfg_get_long(cfg, n, &l, dont_warn);

    if (!rc)
        libxl_defbool_set(b, l != 0);
    return rc;
}

int xlu_cfg_get_list(const XLU_Config *cfg, const char *n, XLU_ConfigList **list_r,
                     int *entries_r, int dont_warn)
{
    XLU_ConfigSetting *s = xlu__cfg_find(cfg, n);

    if (!s)
        return ESRCH;
    if (s->value->type != XLU_LIST) {
        if (!dont_warn)
            xlu__report_loc(cfg, &s->value->loc, true,
                            "%s: expected a list, got %s: write %s = [ %s ]", n,
                            s->value->is_number ? "a number" : "a string", n,
                            s->value->is_number ? s->value->string : "'...'");
        return EINVAL;
    }
    if (list_r)
        *list_r = &s->value->list;
    if (entries_r)
        *entries_r = s->value->list.nvalues;
    return 0;
}

int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *n,
                                    libxl_string_list *sl, int dont_warn)
{
    XLU_ConfigList *list;
    int rc = xlu_cfg_get_list(cfg, n, &list, NULL, dont_warn);

    if (rc)
        return rc;
    for (int i = 0; i < list->nvalues; i++) {
        if (list->values[i]->type != XLU_STRING) {
            if (!dont_warn)
                xlu__report_loc(cfg, &list->values[i]->loc, true,
                                "%s: element %d: expected a string, got a list", n, i);
            return EINVAL;
        }
    }
    libxl_string_list_dispose(sl);
    for (int i = 0; i < list->nvalues; i++)
        libxl_string_list_append(sl, list->values[i]->string);
    return 0;
}

const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry)
{
    if (entry < 0 || entry >= list->nvalues)
        return NULL;
    if (list->values[entry]->type != XLU_STRING)
        return NULL;
    return list->values[entry]->string;
}

XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list, int entry)
{
    if (entry < 0 || entry >= list->nvalues)
        return NULL;
    return list->values[entry];
}
