/* libxlu_lex.c -- the tokens of xl.cfg.
 *
 *   KEY        [A-Za-z_][A-Za-z0-9_]*
 *   NUMBER     [+-]? then decimal, 0-prefixed octal or 0x-prefixed hex
 *   STRING     '...' or "..." on one line, with C escapes (\n \t \\ \'
 *              \xHH \ooo, a backslash before punctuation keeps it); the
 *              result must be UTF-8 without NUL
 *   = += [ ] , ; and newlines; # starts a comment to the end of the line;
 *   spaces, tabs and \r are ignored.
 *
 * Columns count characters (UTF-8 sequences count once), from 1.  The
 * lexer reports its own errors (with a hint) and returns XLU_TOK_ERROR.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

void xlu__lex_init(xlu__lexer *lx, XLU_Config *cfg, const char *source,
                   const char *data, size_t len)
{
    lx->cfg = cfg;
    lx->src = source;
    lx->p = data;
    lx->end = data + len;
    lx->line = 1;
    lx->col = 1;
}

static int peek(const xlu__lexer *lx, size_t ahead)
{
    return lx->p + ahead < lx->end ? (unsigned char)lx->p[ahead] : -1;
}

static void advance(xlu__lexer *lx)
{
    unsigned char c = (unsigned char)*lx->p++;

    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xc0) != 0x80) {
        lx->col++;
    }
}

static xlu__loc here(const xlu__lexer *lx)
{
    xlu__loc l = { lx->src, lx->line, lx->col };

    return l;
}

const char *xlu__tok_describe(enum xlu__tok_type type)
{
    switch (type) {
    case XLU_TOK_EOF: return "the end of the file";
    case XLU_TOK_NEWLINE: return "the end of the line";
    case XLU_TOK_SEMICOLON: return "';'";
    case XLU_TOK_ASSIGN: return "'='";
    case XLU_TOK_ADD: return "'+='";
    case XLU_TOK_LBRACKET: return "'['";
    case XLU_TOK_RBRACKET: return "']'";
    case XLU_TOK_COMMA: return "','";
    case XLU_TOK_IDENT: return "a word";
    case XLU_TOK_STRING: return "a string";
    case XLU_TOK_NUMBER: return "a number";
    case XLU_TOK_ERROR: return "an error";
    }
    return "?";
}

/* ------------------------------------------------------------- growable */

struct buf {
    char *s;
    size_t n, cap;
};

static void buf_add(struct buf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->s = xlu__realloc(b->s, b->cap);
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2; min = 0x80; cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3; min = 0x800; cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static bool valid_utf8(const char *s, size_t n, size_t *bad)
{
    size_t i = 0;

    while (i < n) {
        size_t l = utf8_seq((const unsigned char *)s + i, n - i);

        if (!l) {
            *bad = i;
            return false;
        }
        i += l;
    }
    return true;
}

/* ------------------------------------------------------------------ tokens */

static void lex_error(xlu__lexer *lx, xlu__token *tok, const xlu__loc *loc,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void lex_error(xlu__lexer *lx, xlu__token *tok, const xlu__loc *loc,
                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xlu__vreport_loc(lx->cfg, loc, true, fmt, ap);
    va_end(ap);
    free(tok->text);
    tok->text = NULL;
    tok->type = XLU_TOK_ERROR;
}

static int hexdigit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void lex_string(xlu__lexer *lx, xlu__token *tok)
{
    struct buf b = { NULL, 0, 0 };
    int quote = peek(lx, 0);
    size_t bad;

    tok->type = XLU_TOK_STRING;
    tok->verbatim = true;
    advance(lx);
    for (;;) {
        int c = peek(lx, 0);

        if (c < 0 || c == '\n') {
            tok->text = b.s;
            lex_error(lx, tok, &tok->loc,
                      "unterminated string: add the closing %c (a string ends on the line "
                      "where it starts)", quote);
            return;
        }
        if (c == quote) {
            advance(lx);
            break;
        }
        if (c != '\\') {
            buf_add(&b, (char)c);
            advance(lx);
            continue;
        }
        /* an escape */
        {
            xlu__loc at = here(lx);
            int e, v = 0, nd = 0;

            tok->verbatim = false;
            advance(lx);
            e = peek(lx, 0);
            if (e < 0 || e == '\n') {
                tok->text = b.s;
                lex_error(lx, tok, &at, "a backslash ends the line inside a string: "
                          "close the string with %c first", quote);
                return;
            }
            switch (e) {
            case 'n': v = '\n'; break;
            case 't': v = '\t'; break;
            case 'r': v = '\r'; break;
            case 'v': v = '\v'; break;
            case 'b': v = '\b'; break;
            case 'f': v = '\f'; break;
            case 'a': v = '\a'; break;
            case 'x':
                advance(lx);
                while (nd < 2 && hexdigit(peek(lx, 0)) >= 0) {
                    v = v * 16 + hexdigit(peek(lx, 0));
                    advance(lx);
                    nd++;
                }
                if (!nd) {
                    tok->text = b.s;
                    lex_error(lx, tok, &at, "\\x must be followed by hexadecimal digits "
                              "(write \\\\ for a backslash)");
                    return;
                }
                break;
            default:
                if (e >= '0' && e <= '7') {
                    while (nd < 3 && peek(lx, 0) >= '0' && peek(lx, 0) <= '7') {
                        v = v * 8 + peek(lx, 0) - '0';
                        advance(lx);
                        nd++;
                    }
                    if (v > 0xff) {
                        tok->text = b.s;
                        lex_error(lx, tok, &at, "octal escape out of range (at most \\377)");
                        return;
                    }
                } else if (isalnum(e) || e >= 0x80) {
                    tok->text = b.s;
                    lex_error(lx, tok, &at, "unknown escape sequence \\%c in a string "
                              "(write \\\\ for a backslash)", e);
                    return;
                } else {
                    v = e;     /* \\ \' \" and other punctuation stand for themselves */
                }
                break;
            }
            if (e != 'x' && !(e >= '0' && e <= '7'))
                advance(lx);
            if (v == 0) {
                tok->text = b.s;
                lex_error(lx, tok, &at, "a string cannot contain a NUL character");
                return;
            }
            buf_add(&b, (char)v);
        }
    }
    tok->text = b.s ? b.s : xlu__strdup("");
    if (!valid_utf8(tok->text, b.n, &bad))
        lex_error(lx, tok, &tok->loc, "the string is not valid UTF-8 (byte 0x%02x at offset "
                  "%zu): save the file as UTF-8", (unsigned char)tok->text[bad], bad);
}

static bool is_number_char(int c)
{
    return c >= 0 && (isalnum(c) || c == '_' || c == '.');
}

static void lex_number(xlu__lexer *lx, xlu__token *tok)
{
    const char *start = lx->p;
    const char *body;
    size_t n;
    bool ok = true;

    if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
        advance(lx);
    while (is_number_char(peek(lx, 0)))
        advance(lx);
    n = (size_t)(lx->p - start);
    tok->type = XLU_TOK_NUMBER;
    tok->text = xlu__strndup(start, n);
    body = tok->text + (tok->text[0] == '+' || tok->text[0] == '-');

    if (body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
        ok = body[2] != '\0';
        for (const char *c = body + 2; *c; c++)
            ok = ok && hexdigit((unsigned char)*c) >= 0;
    } else if (body[0] == '0') {
        for (const char *c = body + 1; *c; c++)
            ok = ok && *c >= '0' && *c <= '7';
        if (!ok && strspn(body, "0123456789") == strlen(body)) {
            lex_error(lx, tok, &tok->loc, "malformed number %s: a leading 0 makes a number "
                      "octal (digits 0-7); drop the leading zeros for decimal", body);
            return;
        }
    } else {
        size_t digits = strspn(body, "0123456789");

        ok = digits > 0 && body[digits] == '\0';
        if (!ok && digits > 0 && strchr("KkMmGgTt", body[digits])) {
            char *num = xlu__strndup(body, digits);

            lex_error(lx, tok, &tok->loc, "malformed number %s: xl.cfg numbers take no unit "
                      "(memory= and maxmem= count MiB): write %s%s", body, num,
                      strchr("Mm", body[digits]) ? "" : " in the key's unit");
            free(num);
            return;
        }
        if (!ok && digits > 0 && body[digits] == '.') {
            lex_error(lx, tok, &tok->loc, "malformed number %s: numbers in xl.cfg are "
                      "whole numbers", body);
            return;
        }
    }
    if (!ok)
        lex_error(lx, tok, &tok->loc, "malformed number %s (write decimal, 0-prefixed "
                  "octal or 0x-prefixed hexadecimal; quote it if it is a string)", body);
}

void xlu__lex_next(xlu__lexer *lx, xlu__token *tok)
{
    int c;

    memset(tok, 0, sizeof(*tok));
    for (;;) {                          /* blanks and comments */
        c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            advance(lx);
        } else if (c == '#') {
            while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n')
                advance(lx);
        } else {
            break;
        }
    }
    tok->loc = here(lx);
    tok->start = lx->p;
    if (c < 0) {
        tok->type = XLU_TOK_EOF;
        return;
    }
    switch (c) {
    case '\n': tok->type = XLU_TOK_NEWLINE; advance(lx); return;
    case ';': tok->type = XLU_TOK_SEMICOLON; advance(lx); return;
    case '=': tok->type = XLU_TOK_ASSIGN; advance(lx); return;
    case '[': tok->type = XLU_TOK_LBRACKET; advance(lx); return;
    case ']': tok->type = XLU_TOK_RBRACKET; advance(lx); return;
    case ',': tok->type = XLU_TOK_COMMA; advance(lx); return;
    case '\'':
    case '"':
        lex_string(lx, tok);
        return;
    case '+':
        if (peek(lx, 1) == '=') {
            tok->type = XLU_TOK_ADD;
            advance(lx);
            advance(lx);
            return;
        }
        break;
    default:
        break;
    }
    if (isdigit(c) || ((c == '+' || c == '-') && peek(lx, 1) >= 0 && isdigit(peek(lx, 1)))) {
        lex_number(lx, tok);
        return;
    }
    if (isalpha(c) || c == '_') {
        const char *start = lx->p;

        while (peek(lx, 0) >= 0 && (isalnum(peek(lx, 0)) || peek(lx, 0) == '_'))
            advance(lx);
        tok->type = XLU_TOK_IDENT;
        tok->text = xlu__strndup(start, (size_t)(lx->p - start));
        return;
    }
    if (c >= 0x20 && c < 0x7f)
        lex_error(lx, tok, &tok->loc, "unexpected character '%c'", c);
    else
        lex_error(lx, tok, &tok->loc, "unexpected byte 0x%02x (xl.cfg is text: keys, '=', "
                  "quoted strings, numbers and [lists])", (unsigned)c);
}
