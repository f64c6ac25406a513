/* The xl.cfg lexer and parser: the grammar of xl.cfg(5), getters, and
 * the exact error messages (file, line, column, what to do). */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcfg-test.h"

/* ------------------------------------------------------------ accepted */

static const struct {
    const char *name;
    const char *text;
    const char *key, *want;       /* xlu_cfg_get_string(key) */
} good[] = {
    { "newline", "name=\"h0\"\ntype=\"hvm\"\n", "type", "hvm" },
    { "semicolon", "name=\"h0\"; type=\"hvm\"", "type", "hvm" },
    { "single-quotes", "name='h0'", "name", "h0" },
    { "spaces", "  name   =   'h0'   \t \n", "name", "h0" },
    { "trailing-spaces", "name='h0'   \n  \n", "name", "h0" },
    { "comment-after", "name='h0' # the name\n", "name", "h0" },
    { "comment-line", "# first\n\n#second\nname='h0'\n# last", "name", "h0" },
    { "comment-no-newline", "name='h0'\n# end", "name", "h0" },
    { "hash-in-string", "name='a#b'", "name", "a#b" },
    { "semicolon-in-string", "name='a;b'", "name", "a;b" },
    { "empty-statements", ";;\n;name='h0';;\n", "name", "h0" },
    { "crlf", "name='h0'\r\nmemory=5\r\n", "name", "h0" },
    { "no-final-newline", "name='h0'", "name", "h0" },
    { "last-wins", "name='a'\nname='b'", "name", "b" },
    { "escapes", "s='a\\tb\\x41\\101\\'\\\"\\\\\\n'", "s", "a\tbAA'\"\\\n" },
    { "escape-punct", "s='\\$\\{'", "s", "${" },
    { "other-quote", "s=\"it's\"", "s", "it's" },
    { "utf8", "s='h\xc3\xa9'", "s", "h\xc3\xa9" },
    { "number-text", "n=0x1F", "n", "0x1F" },
    { "string-concat", "s='ab'\ns+='cd'", "s", "abcd" },
    { "add-unset", "s+='x'", "s", "x" },
    { "key-chars", "on_x_2=1\n_k='v'", "_k", "v" },
    { "empty-string", "s=''", "s", "" },
    { "list-then-string", "l=[1]\nl='x'", "l", "x" },
};

static void test_good(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;
    const char *v = NULL;

    parsed_open(&p, good[i].text);
    g_assert_cmpstr(parsed_report(&p), ==, "");
    g_assert_cmpint(p.rc, ==, 0);
    g_assert_cmpint(xlu_cfg_get_string(p.cfg, good[i].key, &v, 0), ==, 0);
    g_assert_cmpstr(v, ==, good[i].want);
    parsed_close(&p);
}

static const struct {
    const char *text;
    long want;
} numbers[] = {
    { "n=42", 42 }, { "n=0x1F", 31 }, { "n=0X1f", 31 }, { "n=017", 15 }, { "n=0", 0 },
    { "n=-5", -5 }, { "n=+7", 7 }, { "n='0x10'", 16 }, { "n=\"512\"", 512 },
    { "n=9223372036854775807", 9223372036854775807L },
};

static void test_numbers(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(numbers); i++) {
        struct parsed p;
        long v = -1;

        parsed_open(&p, numbers[i].text);
        g_assert_cmpint(p.rc, ==, 0);
        g_assert_cmpint(xlu_cfg_get_long(p.cfg, "n", &v, 0), ==, 0);
        g_assert_cmpint(v, ==, numbers[i].want);
        parsed_close(&p);
    }
}

static void test_lists(void)
{
    struct parsed p;
    XLU_ConfigList *l, *inner;
    XLU_ConfigValue *v;
    int n;
    char *s;

    parsed_open(&p, "v = [ ['a', 1, []], \"b\",\n  2, # two\n\n ]\n"
                    "e = []\nt = [1,2,]\nm = [\n'x'\n,\n'y'\n]");
    g_assert_cmpstr(parsed_report(&p), ==, "");
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "v", &l, &n, 0), ==, 0);
    g_assert_cmpint(n, ==, 3);
    v = xlu_cfg_get_listitem2(l, 0);
    g_assert_cmpint(xlu_cfg_value_type(v), ==, XLU_LIST);
    g_assert_null(xlu_cfg_get_listitem(l, 0));            /* not a string */
    g_assert_cmpint(xlu_cfg_value_get_list(p.cfg, v, &inner, 0), ==, 0);
    g_assert_cmpint(xlu_cfg_list_length(inner), ==, 3);
    g_assert_cmpstr(xlu_cfg_get_listitem(inner, 0), ==, "a");
    g_assert_cmpstr(xlu_cfg_get_listitem(inner, 1), ==, "1");
    g_assert_true(xlu_cfg_value_is_number(xlu_cfg_get_listitem2(inner, 1)));
    g_assert_cmpint(xlu_cfg_value_type(xlu_cfg_get_listitem2(inner, 2)), ==, XLU_LIST);
    g_assert_cmpstr(xlu_cfg_get_listitem(l, 1), ==, "b");
    g_assert_cmpstr(xlu_cfg_get_listitem(l, 2), ==, "2");
    g_assert_null(xlu_cfg_get_listitem(l, 3));
    g_assert_null(xlu_cfg_get_listitem(l, -1));
    g_assert_null(xlu_cfg_get_listitem2(l, 3));
    g_assert_cmpint(xlu_cfg_value_get_string(p.cfg, xlu_cfg_get_listitem2(l, 1), &s, 0), ==, 0);
    g_assert_cmpstr(s, ==, "b");
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "e", NULL, &n, 0), ==, 0);
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "t", NULL, &n, 0), ==, 0);
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "m", &l, &n, 0), ==, 0);
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpstr(xlu_cfg_get_listitem(l, 1), ==, "y");
    g_assert_cmpstr(parsed_report(&p), ==, "");
    parsed_close(&p);
}

static void test_list_addition(void)
{
    struct parsed p;
    libxl_string_list sl = NULL;

    parsed_open(&p, "l = ['a']\nl += ['b', 'c']\nl += 'd'\n");
    g_assert_cmpint(p.rc, ==, 0);
    g_assert_cmpint(xlu_cfg_get_list_as_string_list(p.cfg, "l", &sl, 0), ==, 0);
    g_assert_cmpint(libxl_string_list_length(&sl), ==, 4);
    g_assert_cmpstr(sl[0], ==, "a");
    g_assert_cmpstr(sl[3], ==, "d");
    libxl_string_list_dispose(&sl);
    parsed_close(&p);

    parsed_open(&p, "s = 'x'\ns += ['y']\n");
    g_assert_cmpint(p.rc, ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, "t.cfg:2:1: error: s += [...]: s was set to a "
                    "string at line 1, column 5; += adds a list only to a list\n");
    parsed_close(&p);
}

static void test_locations(void)
{
    struct parsed p;
    const char *src;
    int line, col;
    XLU_ConfigList *l;

    parsed_open(&p, "\n  a = 'x'\nb = [ 1,\n      'h\xc3\xa9', 'z' ]");
    xlu_cfg_value_location(xlu_cfg_get_value(p.cfg, "a"), &src, &line, &col);
    g_assert_cmpstr(src, ==, "t.cfg");
    g_assert_cmpint(line, ==, 2);
    g_assert_cmpint(col, ==, 7);
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "b", &l, NULL, 0), ==, 0);
    xlu_cfg_value_location(xlu_cfg_get_listitem2(l, 2), NULL, &line, &col);
    g_assert_cmpint(line, ==, 4);
    g_assert_cmpint(col, ==, 13);         /* é counts as one column */
    parsed_close(&p);
}

/* ----------------------------------------------------------------- errors */

static const struct {
    const char *name;
    const char *text;
    const char *report;
} bad[] = {
    { "unquoted", "name=foo\n",
      "t.cfg:1:6: error: name: the value foo must be quoted: name = \"foo\"\n" },
    { "unquoted-dash", "on_crash = rename-restart\n",
      "t.cfg:1:12: error: on_crash: the value rename-restart must be quoted: "
      "on_crash = \"rename-restart\"\n" },
    { "unterminated", "a=1\nname='abc\nb=2",
      "t.cfg:2:6: error: unterminated string: add the closing ' (a string ends on the line "
      "where it starts)\n" },
    { "unterminated-eof", "name=\"abc",
      "t.cfg:1:6: error: unterminated string: add the closing \" (a string ends on the line "
      "where it starts)\n" },
    { "list-open", "disk = [ 'a',\n 'b'\n",
      "t.cfg:1:8: error: disk: this list is not closed: add ']'\n" },
    { "list-junk", "disk = [ 'a' 'b' ]",
      "t.cfg:1:14: error: disk: expected ',' or ']' after a list element, got a string: is "
      "the ']' of the list opened at line 1, column 8 missing?\n" },
    { "list-empty-elem", "l = [ 1, , 2 ]",
      "t.cfg:1:10: error: l: empty element in a list (remove the extra ',')\n" },
    { "no-equals", "memory 512",
      "t.cfg:1:8: error: expected '=' after memory, got a number\n" },
    { "two-words", "max mem = 5",
      "t.cfg:1:5: error: expected '=' after max, got a word (keys are one word: letters, "
      "digits and '_')\n" },
    { "no-key", "= 5",
      "t.cfg:1:1: error: expected a setting (KEY = VALUE), got '='\n" },
    { "string-key", "'name' = 5",
      "t.cfg:1:1: error: expected a setting (KEY = VALUE), got a string\n" },
    { "no-value", "name=\nmemory=5",
      "t.cfg:1:6: error: name: missing value (a \"string\", a number or a [list])\n" },
    { "no-value-eof", "name = ",
      "t.cfg:1:8: error: name: missing value (a \"string\", a number or a [list])\n" },
    { "junk-after", "name='a' 'b'",
      "t.cfg:1:10: error: expected a new line or ';' after the value of name, got a string\n" },
    { "units", "memory=512M",
      "t.cfg:1:8: error: malformed number 512M: xl.cfg numbers take no unit (memory= and "
      "maxmem= count MiB): write 512\n" },
    { "units-g", "memory = 2G",
      "t.cfg:1:10: error: malformed number 2G: xl.cfg numbers take no unit (memory= and "
      "maxmem= count MiB): write 2 in the key's unit\n" },
    { "octal", "vcpus=08",
      "t.cfg:1:7: error: malformed number 08: a leading 0 makes a number octal (digits 0-7); "
      "drop the leading zeros for decimal\n" },
    { "fraction", "vcpus=1.5",
      "t.cfg:1:7: error: malformed number 1.5: numbers in xl.cfg are whole numbers\n" },
    { "hex", "n=0xg",
      "t.cfg:1:3: error: malformed number 0xg (write decimal, 0-prefixed octal or "
      "0x-prefixed hexadecimal; quote it if it is a string)\n" },
    { "escape", "s='C:\\windows'",
      "t.cfg:1:6: error: unknown escape sequence \\w in a string (write \\\\ for a "
      "backslash)\n" },
    { "escape-nul", "s='a\\0b'",
      "t.cfg:1:5: error: a string cannot contain a NUL character\n" },
    { "escape-x", "s='\\xzz'",
      "t.cfg:1:4: error: \\x must be followed by hexadecimal digits (write \\\\ for a "
      "backslash)\n" },
    { "escape-octal", "s='\\777'",
      "t.cfg:1:4: error: octal escape out of range (at most \\377)\n" },
    { "escape-eol", "s='abc\\\n'",
      "t.cfg:1:7: error: a backslash ends the line inside a string: close the string with ' "
      "first\n" },
    { "bad-utf8", "s='\xff'",
      "t.cfg:1:3: error: the string is not valid UTF-8 (byte 0xff at offset 0): save the "
      "file as UTF-8\n" },
    { "overlong-utf8", "s='\xc0\xaf'",
      "t.cfg:1:3: error: the string is not valid UTF-8 (byte 0xc0 at offset 0): save the "
      "file as UTF-8\n" },
    { "escaped-bad-utf8", "s='\\xff'",
      "t.cfg:1:3: error: the string is not valid UTF-8 (byte 0xff at offset 0): save the "
      "file as UTF-8\n" },
    { "stray-char", "name='a'\n@",
      "t.cfg:2:1: error: unexpected character '@'\n" },
    { "stray-plus", "a + 1",
      "t.cfg:1:3: error: unexpected character '+'\n" },
    { "control-byte", "a=1\n\x01",
      "t.cfg:2:1: error: unexpected byte 0x01 (xl.cfg is text: keys, '=', quoted strings, "
      "numbers and [lists])\n" },
};

static void test_bad(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;

    parsed_open(&p, bad[i].text);
    g_assert_cmpint(p.rc, ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, bad[i].report);
    g_assert_cmpint(xlu_cfg_error_count(p.cfg), ==, 1);
    parsed_close(&p);
}

static void test_nul_byte(void)
{
    struct parsed p;

    parsed_open_len(&p, "a=1\nb='x\0y'\n", 12);
    g_assert_cmpint(p.rc, ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==,
                    "t.cfg:2:5: error: the file holds a NUL byte: is it a binary file?\n");
    parsed_close(&p);
}

static void test_depth(void)
{
    GString *ok = g_string_new("l = "), *deep = g_string_new("l = ");
    struct parsed p;

    for (int i = 0; i < XLU_MAX_LIST_DEPTH; i++)
        g_string_append_c(ok, '[');
    for (int i = 0; i < XLU_MAX_LIST_DEPTH; i++)
        g_string_append_c(ok, ']');
    parsed_open(&p, ok->str);
    g_assert_cmpint(p.rc, ==, 0);
    parsed_close(&p);

    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, '[');
    parsed_open(&p, deep->str);
    g_assert_cmpint(p.rc, ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, "t.cfg:1:69: error: l: lists nested more than 64 "
                    "deep\n");
    parsed_close(&p);
    g_string_free(ok, TRUE);
    g_string_free(deep, TRUE);
}

static void test_size_limit(void)
{
    size_t n = (size_t)XLU_MAX_FILE_SIZE + 1;
    char *big = g_malloc(n);
    struct parsed p;

    memset(big, '\n', n);
    parsed_open_len(&p, big, n);
    g_assert_cmpint(p.rc, ==, EFBIG);
    g_assert_cmpstr(parsed_report(&p), ==, "t.cfg: error: t.cfg is larger than 4194304 bytes: "
                    "is it an xl.cfg file?\n");
    parsed_close(&p);
    /* the limit itself is fine: many settings */
    for (size_t i = 0; i + 8 <= n - 1; i += 8)
        memcpy(big + i, "a = 1;\n ", 8);
    parsed_open_len(&p, big, n - 1);
    g_assert_cmpint(p.rc, ==, 0);
    parsed_close(&p);
    g_free(big);
}

/* --------------------------------------------------------------- getters */

static void test_getters(void)
{
    struct parsed p;
    long l = 0;
    const char *s;
    char *r = g_strdup("old");
    libxl_defbool b = { 0 };
    libxl_string_list sl = NULL;

    parsed_open(&p, "n = 300\ns = 'abc'\nl = ['a', ['b']]\nb = 0\nbig = 99999999999999999999");
    g_assert_cmpint(xlu_cfg_get_long(p.cfg, "missing", &l, 0), ==, ESRCH);
    g_assert_cmpint(xlu_cfg_get_bounded_long(p.cfg, "n", 1, 255, &l, 0), ==, ERANGE);
    g_assert_cmpint(xlu_cfg_get_bounded_long(p.cfg, "n", 1, 300, &l, 0), ==, 0);
    g_assert_cmpint(l, ==, 300);
    g_assert_cmpint(xlu_cfg_get_long(p.cfg, "s", &l, 0), ==, EINVAL);
    g_assert_cmpint(xlu_cfg_get_long(p.cfg, "l", &l, 0), ==, EINVAL);
    g_assert_cmpint(xlu_cfg_get_long(p.cfg, "big", &l, 0), ==, ERANGE);
    g_assert_cmpint(xlu_cfg_get_string(p.cfg, "l", &s, 0), ==, EINVAL);
    g_assert_cmpint(xlu_cfg_get_list(p.cfg, "s", NULL, NULL, 0), ==, EINVAL);
    g_assert_cmpint(xlu_cfg_get_list_as_string_list(p.cfg, "l", &sl, 0), ==, EINVAL);
    g_assert_null(sl);
    g_assert_cmpint(xlu_cfg_get_defbool(p.cfg, "b", &b, 0), ==, 0);
    g_assert_false(libxl_defbool_is_default(b));
    g_assert_false(libxl_defbool_val(b));
    g_assert_cmpint(xlu_cfg_replace_string(p.cfg, "s", &r, 0), ==, 0);
    g_assert_cmpstr(r, ==, "abc");
    g_assert_cmpstr(parsed_report(&p), ==,
                    "t.cfg:1:5: error: n=300 is out of range: it must be between 1 and 255\n"
                    "t.cfg:2:5: error: s: expected a number, got \"abc\"\n"
                    "t.cfg:3:5: error: l: expected a number, got a list\n"
                    "t.cfg:5:7: error: big: 99999999999999999999 is out of range\n"
                    "t.cfg:3:5: error: l: expected a string, got a list\n"
                    "t.cfg:2:5: error: s: expected a list, got a string: write s = [ '...' ]\n"
                    "t.cfg:3:11: error: l: element 1: expected a string, got a list\n");
    g_assert_cmpint(xlu_cfg_error_count(p.cfg), ==, 7);
    /* dont_warn: silent */
    g_assert_cmpint(xlu_cfg_get_long(p.cfg, "s", &l, 1), ==, EINVAL);
    g_assert_cmpint(xlu_cfg_error_count(p.cfg), ==, 7);
    g_free(r);
    parsed_close(&p);
}

static void test_override(void)
{
    struct parsed p;
    const char *s;

    parsed_open(&p, "name = 'a'\nmemory = 512\n");
    g_assert_cmpint(xlu_cfg_read_override(p.cfg, 1, "memory=1024"), ==, 0);
    g_assert_cmpint(xlu_cfg_read_override(p.cfg, 2, "name=\"b\"; vcpus=2"), ==, 0);
    g_assert_cmpint(xlu_cfg_get_string(p.cfg, "memory", &s, 0), ==, 0);
    g_assert_cmpstr(s, ==, "1024");
    g_assert_cmpint(xlu_cfg_get_string(p.cfg, "name", &s, 0), ==, 0);
    g_assert_cmpstr(s, ==, "b");
    g_assert_cmpint(xlu_cfg_read_override(p.cfg, 3, "name=c"), ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, "command line argument 3:1:6: error: name: the value "
                    "c must be quoted: name = \"c\"\n");
    parsed_close(&p);
}

static void test_readfile(void)
{
    char dir[] = "/tmp/xlcfg-test.XXXXXX", *path, *want;
    FILE *f, *rep;
    char *report = NULL;
    size_t len;
    XLU_Config *cfg;
    const char *s;

    g_assert_nonnull(mkdtemp(dir));
    path = g_strdup_printf("%s/a.cfg", dir);
    f = fopen(path, "w");
    fputs("name = 'file'\n", f);
    fclose(f);

    rep = open_memstream(&report, &len);
    cfg = xlu_cfg_init(rep, "shown.cfg");
    g_assert_cmpint(xlu_cfg_readfile(cfg, path), ==, 0);
    g_assert_cmpint(xlu_cfg_get_string(cfg, "name", &s, 0), ==, 0);
    g_assert_cmpstr(s, ==, "file");
    g_assert_cmpint(xlu_cfg_readfile(cfg, dir), ==, EISDIR);
    xlu_cfg_destroy(cfg);
    fclose(rep);
    want = g_strdup_printf("shown.cfg: error: %s is a directory, not a configuration file\n",
                           dir);
    g_assert_cmpstr(report, ==, want);
    g_free(want);
    free(report);

    rep = open_memstream(&report, &len);
    cfg = xlu_cfg_init(rep, "none.cfg");
    g_assert_cmpint(xlu_cfg_readfile(cfg, "/nonexistent/x.cfg"), ==, ENOENT);
    xlu_cfg_destroy(cfg);
    fclose(rep);
    g_assert_cmpstr(report, ==, "none.cfg: error: cannot open /nonexistent/x.cfg: No such "
                    "file or directory\n");
    free(report);

    unlink(path);
    rmdir(dir);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        char *n = g_strdup_printf("/xlcfg/parse/good/%s", good[i].name);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_good);
        g_free(n);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *n = g_strdup_printf("/xlcfg/parse/bad/%s", bad[i].name);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_bad);
        g_free(n);
    }
    g_test_add_func("/xlcfg/parse/numbers", test_numbers);
    g_test_add_func("/xlcfg/parse/lists", test_lists);
    g_test_add_func("/xlcfg/parse/list-addition", test_list_addition);
    g_test_add_func("/xlcfg/parse/locations", test_locations);
    g_test_add_func("/xlcfg/parse/nul-byte", test_nul_byte);
    g_test_add_func("/xlcfg/parse/depth", test_depth);
    g_test_add_func("/xlcfg/parse/size-limit", test_size_limit);
    g_test_add_func("/xlcfg/parse/getters", test_getters);
    g_test_add_func("/xlcfg/parse/override", test_override);
    g_test_add_func("/xlcfg/parse/readfile", test_readfile);
    return g_test_run();
}
