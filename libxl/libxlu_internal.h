/* libxlu_internal.h -- what libxlutil's files share: the value tree, the
 * settings list, the lexer's tokens and located reporting.
 *
 * Ownership: an XLU_Config owns its settings, their values, and the names
 * of the sources read (locations point at those names).  Values are
 * immutable once parsed, except for the `used` marks of settings, which
 * the getters set so that unknown keys can be reported afterwards.
 */
#ifndef XENKVM_LIBXLU_INTERNAL_H
#define XENKVM_LIBXLU_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "libxlutil.h"

typedef struct xlu__loc {
    const char *source;        /* owned by the config */
    int line, col;             /* 1-based; col counts characters */
} xlu__loc;

struct XLU_ConfigList {
    int nvalues, avalues;
    XLU_ConfigValue **values;
};

struct XLU_ConfigValue {
    enum XLU_ConfigValueType type;
    bool is_number;            /* XLU_STRING written as an unquoted number */
    bool verbatim;             /* string text is exactly the source bytes
                                  after the quote (no escapes, one line) */
    char *string;              /* XLU_STRING */
    XLU_ConfigList list;       /* XLU_LIST */
    xlu__loc loc;              /* first character of the value */
};

typedef struct XLU_ConfigSetting {
    char *name;
    XLU_ConfigValue *value;
    xlu__loc loc;              /* of the key */
    bool used;                 /* a getter asked for this key */
    struct XLU_ConfigSetting *next;
} XLU_ConfigSetting;

struct xlu__counts {
    int errors, warnings;
};

struct XLU_Config {
    FILE *report;
    char *config_source;
    XLU_ConfigSetting *settings;       /* in the order read */
    XLU_ConfigSetting **tail;
    char **sources;                    /* names of the sources read */
    int nsources;
    struct xlu__counts *counts;        /* mutable through const getters */
};

/* ---- values (libxlu_cfg.c) ---- */
XLU_ConfigValue *xlu__value_new_string(char *s, bool is_number, bool verbatim, xlu__loc loc);
XLU_ConfigValue *xlu__value_new_list(xlu__loc loc);
void xlu__list_append(XLU_ConfigList *list, XLU_ConfigValue *v);
void xlu__value_free(XLU_ConfigValue *v);
/* Stores a setting: `=` replaces, `+=` appends to the previous value.
 * Returns 0, or EINVAL (reported) when += mixes a list and a string. */
int xlu__cfg_set(XLU_Config *cfg, char *name, xlu__loc key_loc, enum XLU_Operation op,
                 XLU_ConfigValue *value);
/* The last setting of `n` (marking every setting of n used), or NULL. */
XLU_ConfigSetting *xlu__cfg_find(const XLU_Config *cfg, const char *n);
const char *xlu__cfg_add_source(XLU_Config *cfg, const char *name);

/* ---- reporting (libxlu_cfg.c) ---- */
void xlu__report_loc(const XLU_Config *cfg, const xlu__loc *loc, bool is_error,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void xlu__vreport_loc(const XLU_Config *cfg, const xlu__loc *loc, bool is_error,
                      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* At `offset` bytes into the text of a string value when that maps to a
 * column exactly (verbatim strings), else at the value; `where` may be
 * NULL (no location: the config's source name only). */
void xlu__report_at(const XLU_Config *cfg, const XLU_ConfigValue *where, int offset,
                    bool is_error, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A problem in a device spec of `kind` ("disk", "vif"): at `at` (a pointer
 * into spec, or NULL) within the setting's value `where`, or, with no
 * `where`, after the kind and the quoted spec. */
void xlu__vreport_spec(const XLU_Config *cfg, const XLU_ConfigValue *where, const char *kind,
                       const char *spec, const char *at, bool is_error, const char *fmt,
                       va_list ap) __attribute__((format(printf, 7, 0)));
/* Text for messages: the value quoted and escaped, or "a list". */
char *xlu__describe(const XLU_ConfigValue *v);
char *xlu__quote(const char *s);       /* "text" with C escapes, malloc'd */
/* The item of a comma-separated spec that starts at `start` (blanks before
 * it already skipped), without the blanks after it (malloc'd); *end is the
 * comma that ends it or the final NUL. */
char *xlu__list_item(const char *start, const char **end);

/* Reads fd to its end (it may be a pipe) into *data (malloc'd, NUL-terminated,
 * the caller frees it), never more than XLU_MAX_FILE_SIZE + 1 bytes: 0, the
 * errno of a failed read, or EFBIG when it holds more than XLU_MAX_FILE_SIZE. */
int xlu__read_all(int fd, char **data, size_t *len);

/* ---- lexer (libxlu_lex.c) ---- */
enum xlu__tok_type {
    XLU_TOK_EOF,
    XLU_TOK_NEWLINE,
    XLU_TOK_SEMICOLON,
    XLU_TOK_ASSIGN,            /* = */
    XLU_TOK_ADD,               /* += */
    XLU_TOK_LBRACKET,
    XLU_TOK_RBRACKET,
    XLU_TOK_COMMA,
    XLU_TOK_IDENT,
    XLU_TOK_STRING,
    XLU_TOK_NUMBER,
    XLU_TOK_ERROR,             /* reported by the lexer */
};

typedef struct xlu__token {
    enum xlu__tok_type type;
    char *text;                /* IDENT, STRING, NUMBER, WORD: malloc'd */
    bool verbatim;             /* STRING: see XLU_ConfigValue */
    xlu__loc loc;
    const char *start;         /* the token's first byte in the source text */
} xlu__token;

typedef struct xlu__lexer {
    XLU_Config *cfg;
    const char *src;           /* source name (owned by cfg) */
    const char *p, *end;
    int line, col;
} xlu__lexer;

void xlu__lex_init(xlu__lexer *lx, XLU_Config *cfg, const char *source,
                   const char *data, size_t len);
/* The next token; the caller frees tok->text. */
void xlu__lex_next(xlu__lexer *lx, xlu__token *tok);
const char *xlu__tok_describe(enum xlu__tok_type type);

/* ---- parser (libxlu_parse.c) ---- */
/* Parses a whole source into cfg; 0 or EINVAL after reporting the first
 * syntax error. */
int xlu__parse(XLU_Config *cfg, const char *source, const char *data, size_t len);

/* ---- device specs: located variants used by the domain builder ---- */
int xlu__disk_parse_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *spec,
                       libxl_device_disk *disk);
int xlu__vif_parse_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *spec,
                      libxl_device_nic *nic);
int xlu__cpu_list_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *s,
                     const xlu_host_topology *host, libxl_bitmap *map);

#define XLU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failures abort, as in libxenlight. */
void *xlu__zalloc(size_t size);
void *xlu__realloc(void *p, size_t size);
char *xlu__strdup(const char *s);
char *xlu__strndup(const char *s, size_t n);
char *xlu__sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xlu__vsprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
