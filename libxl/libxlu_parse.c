/* libxlu_parse.c -- the grammar of xl.cfg, into settings of the config.
 *
 *   file     := { sep } { setting sep { sep } } [ setting ] EOF
 *   setting  := KEY ( "=" | "+=" ) value
 *   value    := STRING | NUMBER | "[" [ value { "," value } [ "," ] ] "]"
 *   sep      := NEWLINE | ";"
 *
 * New lines inside a list are ignored; lists nest at most
 * XLU_MAX_LIST_DEPTH deep (the parser recurses once per level).  Parsing
 * stops at the first syntax error, which names its place and the fix.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

struct parser {
    XLU_Config *cfg;
    xlu__lexer lx;
    xlu__token tok;
    int depth;
};

static void next(struct parser *ps)
{
    free(ps->tok.text);
    xlu__lex_next(&ps->lx, &ps->tok);
}

static char *take_text(struct parser *ps)
{
    char *t = ps->tok.text;

    ps->tok.text = NULL;
    return t;
}

/* The bare word a user meant as a value (e.g. rename-restart), for the
 * message that tells them to quote it. */
static char *bare_word(const struct parser *ps)
{
    const char *s = ps->tok.start, *e = s;

    while (e < ps->lx.end && !strchr(" \t\r\n;#,]", *e))
        e++;
    return xlu__strndup(s, (size_t)(e - s));
}

static XLU_ConfigValue *parse_value(struct parser *ps, const char *key)
{
    XLU_ConfigValue *v, *item;
    xlu__loc open;

    switch (ps->tok.type) {
    case XLU_TOK_STRING:
    case XLU_TOK_NUMBER:
        v = xlu__value_new_string(NULL, ps->tok.type == XLU_TOK_NUMBER,
                                  ps->tok.verbatim, ps->tok.loc);
        v->string = take_text(ps);
        next(ps);
        return v;
    case XLU_TOK_LBRACKET:
        if (ps->depth >= XLU_MAX_LIST_DEPTH) {
            xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                            "%s: lists nested more than %d deep", key, XLU_MAX_LIST_DEPTH);
            return NULL;
        }
        open = ps->tok.loc;
        v = xlu__value_new_list(open);
        ps->depth++;
        next(ps);
        for (;;) {
            while (ps->tok.type == XLU_TOK_NEWLINE)
                next(ps);
            if (ps->tok.type == XLU_TOK_RBRACKET)
                break;
            if (ps->tok.type == XLU_TOK_COMMA) {
                xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                                "%s: empty element in a list (remove the extra ',')", key);
                goto fail;
            }
            if (ps->tok.type == XLU_TOK_EOF) {
                xlu__report_loc(ps->cfg, &open, true,
                                "%s: this list is not closed: add ']'", key);
                goto fail;
            }
            item = parse_value(ps, key);
            if (!item)
                goto fail;
            xlu__list_append(&v->list, item);
            while (ps->tok.type == XLU_TOK_NEWLINE)
                next(ps);
            if (ps->tok.type == XLU_TOK_COMMA) {
                next(ps);
                continue;
            }
            if (ps->tok.type == XLU_TOK_RBRACKET)
                break;
            if (ps->tok.type == XLU_TOK_ERROR)
                goto fail;
            if (ps->tok.type == XLU_TOK_EOF)
                xlu__report_loc(ps->cfg, &open, true,
                                "%s: this list is not closed: add ']'", key);
            else
                xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                                "%s: expected ',' or ']' after a list element, got %s: is "
                                "the ']' of the list opened at line %d, column %d missing?",
                                key, xlu__tok_describe(ps->tok.type), open.line, open.col);
            goto fail;
        }
        ps->depth--;
        next(ps);             /* the ']' */
        return v;
    fail:
        ps->depth--;
        xlu__value_free(v);
        return NULL;
    case XLU_TOK_IDENT: {
        char *w = bare_word(ps);

        xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                        "%s: the value %s must be quoted: %s = \"%s\"", key, w, key, w);
        free(w);
        return NULL;
    }
    case XLU_TOK_ERROR:
        return NULL;
    case XLU_TOK_NEWLINE:
    case XLU_TOK_SEMICOLON:
    case XLU_TOK_EOF:
        xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                        "%s: missing value (a \"string\", a number or a [list])", key);
        return NULL;
    default:
        xlu__report_loc(ps->cfg, &ps->tok.loc, true,
                        "%s: expected a value (a \"string\", a number or a [list]), got %s",
                        key, xlu__tok_describe(ps->tok.type));
        return NULL;
    }
}

/* Where the first NUL byte is, as a location. */
static void nul_location(const char *data, size_t at, xlu__loc *loc)
{
    loc->line = 1;
    loc->col = 1;
    for (size_t i = 0; i < at; i++) {
        if (data[i] == '\n') {
            loc->line++;
            loc->col = 1;
        } else if (((unsigned char)data[i] & 0xc0) != 0x80) {
            loc->col++;
        }
    }
}

int xlu__parse(XLU_Config *cfg, const char *source, const char *data, size_t len)
{
    struct parser ps;
    const char *nul = memchr(data, 0, len);
    int rc = EINVAL;

    memset(&ps, 0, sizeof(ps));
    ps.cfg = cfg;
    source = xlu__cfg_add_source(cfg, source);
    if (nul) {
        xlu__loc loc = { source, 0, 0 };

        nul_location(data, (size_t)(nul - data), &loc);
        xlu__report_loc(cfg, &loc, true, "the file holds a NUL byte: is it a binary file?");
        return EINVAL;
    }
    xlu__lex_init(&ps.lx, cfg, source, data, len);
    next(&ps);
    for (;;) {
        char *name;
        xlu__loc key_loc;
        enum XLU_Operation op;
        XLU_ConfigValue *value;

        while (ps.tok.type == XLU_TOK_NEWLINE || ps.tok.type == XLU_TOK_SEMICOLON)
            next(&ps);
        if (ps.tok.type == XLU_TOK_EOF)
            break;
        if (ps.tok.type == XLU_TOK_ERROR)
            goto out;
        if (ps.tok.type != XLU_TOK_IDENT) {
            xlu__report_loc(cfg, &ps.tok.loc, true,
                            "expected a setting (KEY = VALUE), got %s",
                            xlu__tok_describe(ps.tok.type));
            goto out;
        }
        key_loc = ps.tok.loc;
        name = take_text(&ps);
        next(&ps);
        if (ps.tok.type == XLU_TOK_ASSIGN) {
            op = XLU_OP_ASSIGNMENT;
        } else if (ps.tok.type == XLU_TOK_ADD) {
            op = XLU_OP_ADDITION;
        } else {
            if (ps.tok.type != XLU_TOK_ERROR)
                xlu__report_loc(cfg, &ps.tok.loc, true, "expected '=' after %s, got %s%s",
                                name, xlu__tok_describe(ps.tok.type),
                                ps.tok.type == XLU_TOK_IDENT ? " (keys are one word: "
                                "letters, digits and '_')" : "");
            free(name);
            goto out;
        }
        next(&ps);
        value = parse_value(&ps, name);
        if (!value) {
            free(name);
            goto out;
        }
        if (ps.tok.type != XLU_TOK_NEWLINE && ps.tok.type != XLU_TOK_SEMICOLON &&
            ps.tok.type != XLU_TOK_EOF) {
            if (ps.tok.type != XLU_TOK_ERROR)
                xlu__report_loc(cfg, &ps.tok.loc, true,
                                "expected a new line or ';' after the value of %s, got %s",
                                name, xlu__tok_describe(ps.tok.type));
            xlu__value_free(value);
            free(name);
            goto out;
        }
        if (xlu__cfg_set(cfg, name, key_loc, op, value))
            goto out;
    }
    rc = 0;
out:
    free(ps.tok.text);
    return rc;
}
