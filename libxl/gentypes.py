#!/usr/bin/env python3
"""gentypes.py -- turns libxl_types.idl into C.

    gentypes.py IDL TYPES_H JSON_H PRIVATE_H TYPES_C

writes:
  TYPES_H    the public types (_libxl_types.h): enumerations with their
             string tables, structs, and the prototypes of _init, _dispose,
             _copy, _equal, _to_json, _from_json (and _init_KEY for a struct
             holding a keyed union);
  JSON_H     the public _gen_json prototypes (they need yajl);
  PRIVATE_H  the _parse_json prototypes (they need libxl_internal.h);
  TYPES_C    all the functions.

The description language is documented at the top of libxl_types.idl.  The
generator knows nothing of particular types: every decision lives in the
type classes below, each of which emits C for one operation on one C lvalue.
"""

import sys

PREFIX = "libxl_"


def c_ident(s):
    return s.lower()


# --------------------------------------------------------------------------
# Types


class Type:
    """A type of a field; subclasses emit C for each operation."""

    typename = None   # C type name
    named = False     # has its own generated functions

    def decl(self, fname):
        return "%s %s;" % (self.typename, fname)

    # Each returns a list of C lines (or an expression for equal/is_default).
    def init(self, lv, init):
        if init is None or init == "0":
            return []            # the struct was zeroed
        return ["%s = %s;" % (lv, init)]

    def dispose(self, lv):
        return []

    def copy(self, dst, src):
        return ["%s = %s;" % (dst, src)]

    def equal(self, a, b):
        return "(%s == %s)" % (a, b)

    def is_default(self, lv, init):
        return "(%s == %s)" % (lv, init if init is not None else "0")

    # A named type (enumeration, struct) calls its generated functions.
    def gen(self, lv):
        return ["s = %s_gen_json(hand, &%s);" % (self.typename, lv)]

    def parse(self, obj, lv):
        return ["rc = %s_parse_json(jc, %s, &%s);" % (self.typename, obj, lv)]


class Number(Type):
    def __init__(self, typename, helper):
        self.typename = typename
        self.helper = helper      # libxl__HELPER_gen_json / _parse_json

    def gen(self, lv):
        return ["s = libxl__%s_gen_json(hand, %s);" % (self.helper, lv)]

    def parse(self, obj, lv):
        return ["rc = libxl__%s_parse_json(jc, %s, &%s);" % (self.helper, obj, lv)]


class Bool(Number):
    def init(self, lv, init):
        if init is None or init in ("0", "false"):
            return []
        return ["%s = %s;" % (lv, init)]

    def is_default(self, lv, init):
        return "(%s == %s)" % (lv, init if init is not None else "false")


class String(Type):
    typename = "char *"

    def decl(self, fname):
        return "char *%s;" % fname

    def init(self, lv, init):
        assert init is None
        return []

    def dispose(self, lv):
        return ["free(%s);" % lv, "%s = NULL;" % lv]

    def copy(self, dst, src):
        return ["%s = libxl__strdup_or_null(%s);" % (dst, src)]

    def equal(self, a, b):
        return "libxl__string_equal(%s, %s)" % (a, b)

    def is_default(self, lv, init):
        return "(%s == NULL)" % lv

    def gen(self, lv):
        return ["s = libxl__string_gen_json(hand, %s);" % lv]

    def parse(self, obj, lv):
        return ["rc = libxl__string_parse_json(jc, %s, &%s);" % (obj, lv)]


class Opaque(Type):
    """A built-in type with hand-written functions in libxl_builtin.c:
    libxl_N_dispose, libxl_N_copy(ctx, dst, src), libxl__N_equal,
    libxl__N_is_default, libxl_N_gen_json, libxl__N_parse_json.  Its
    initial value is all zero bytes."""

    def __init__(self, name):
        self.name = name
        self.typename = PREFIX + name

    def init(self, lv, init):
        assert init is None
        return []

    def dispose(self, lv):
        return ["libxl_%s_dispose(&%s);" % (self.name, lv)]

    def copy(self, dst, src):
        return ["libxl_%s_copy(NULL, &%s, &%s);" % (self.name, dst, src)]

    def equal(self, a, b):
        return "libxl__%s_equal(&%s, &%s)" % (self.name, a, b)

    def is_default(self, lv, init):
        return "libxl__%s_is_default(&%s)" % (self.name, lv)

    def gen(self, lv):
        return ["s = libxl_%s_gen_json(hand, &%s);" % (self.name, lv)]

    def parse(self, obj, lv):
        return ["rc = libxl__%s_parse_json(jc, %s, &%s);" % (self.name, obj, lv)]


class Enumeration(Type):
    named = True

    def __init__(self, name, values, init=None, value_prefix=None):
        self.name = name
        self.typename = PREFIX + name
        self.value_prefix = value_prefix or (PREFIX + name + "_").upper()
        self.values = [(v, n) for v, n in values]
        names = [v for v, _ in self.values]
        if isinstance(init, str):
            assert init in names, "%s: init %s is not a value" % (name, init)
            self.init_value = self.value_prefix + init
        elif init is None:
            self.init_value = self.value_prefix + names[0]
        else:
            self.init_value = str(init)
        ALL_TYPES.append(self)

    def cname(self, value_name):
        return self.value_prefix + value_name

    def init(self, lv, init):
        v = init if init is not None else self.init_value
        return [] if v == "0" else ["%s = %s;" % (lv, v)]

    def is_default(self, lv, init):
        return "(%s == %s)" % (lv, init if init is not None else self.init_value)


class Field:
    def __init__(self, name, type_, init=None):
        self.name = name
        self.type = type_
        self.init = init


class Array:
    """A field that is "int COUNT; T *NAME;" in C and a JSON array."""

    def __init__(self, elem, count):
        self.elem = elem
        self.count = count


class KeyedUnion:
    """A C union selected by an enumeration field of the same struct."""

    def __init__(self, keyvar, keytype, members):
        self.keyvar = keyvar
        self.keytype = keytype
        self.members = []
        for vname, st in members:
            assert vname in [v for v, _ in keytype.values], vname
            self.members.append((vname, st))


class Struct(Type):
    def __init__(self, name, fields):
        self.name = name
        self.named = name is not None
        self.typename = PREFIX + name if name else None
        self.fields = []
        for f in fields:
            init = f[2].get("init") if len(f) > 2 else None
            self.fields.append(Field(f[0], f[1], init))
        if self.named:
            ALL_TYPES.append(self)

    def unions(self):
        return [f for f in self.fields if isinstance(f.type, KeyedUnion)]

    # As a field of another struct, a named struct calls its functions.
    def init(self, lv, init):
        return ["%s_init(&%s);" % (self.typename, lv)]

    def dispose(self, lv):
        return ["%s_dispose(&%s);" % (self.typename, lv)]

    def copy(self, dst, src):
        return ["%s_copy(ctx, &%s, &%s);" % (self.typename, dst, src)]

    def equal(self, a, b):
        return "%s_equal(&%s, &%s)" % (self.typename, a, b)

    def is_default(self, lv, init):
        return "false"           # nested structs are always written


# Built-in types.
integer = Number("int", "int")
uint32 = Number("uint32_t", "uint32")
uint64 = Number("uint64_t", "uint64")
memkb = Number("uint64_t", "uint64")
bool_ = Bool("bool", "bool")
domid = Number("libxl_domid", "uint32")
devid = Number("libxl_devid", "int")
string = String()
defbool = Opaque("defbool")
uuid = Opaque("uuid")
mac = Opaque("mac")
bitmap = Opaque("bitmap")
string_list = Opaque("string_list")

ALL_TYPES = []


def field_init(f):
    if f.type is memkb and f.init is None:
        return "LIBXL_MEMKB_DEFAULT"
    return f.init


# --------------------------------------------------------------------------
# Code for the fields of a struct, with `pfx` the C prefix of its lvalues
# ("p->", "p->u.hvm.").  Anonymous structs (union members) are inlined.


def indent(lines, n=1):
    return ["    " * n + l if l else l for l in lines]


def fields_init(st, pfx):
    out = []
    for f in st.fields:
        lv = pfx + f.name
        if isinstance(f.type, Array) or isinstance(f.type, KeyedUnion):
            continue             # zero: no elements, no member selected
        out += f.type.init(lv, field_init(f))
    return out


def member_of(u, vname):
    return c_ident(vname)


def fields_dispose(st, pfx):
    out = []
    for f in st.fields:
        lv = pfx + f.name
        if isinstance(f.type, Array):
            cnt = pfx + f.type.count
            body = f.type.elem.dispose("%s[i]" % lv)
            if body:
                out += ["for (int i = 0; i < %s; i++) {" % cnt] + indent(body) + ["}"]
            out += ["free(%s);" % lv, "%s = NULL;" % lv, "%s = 0;" % cnt]
        elif isinstance(f.type, KeyedUnion):
            out += union_switch(f.type, pfx, lv,
                                lambda m, mpfx: fields_dispose(m, mpfx))
        else:
            out += f.type.dispose(lv)
    return out


def union_switch(u, pfx, lv, body_fn, key=None):
    out = ["switch (%s) {" % (key or pfx + u.keyvar)]
    for vname, st in u.members:
        body = body_fn(st, "%s.%s." % (lv, member_of(u, vname)))
        if not body and not getattr(body_fn, "always", False):
            continue
        out += ["case %s: {" % u.keytype.cname(vname)] + indent(body) + \
               ["    break;", "}"]
    out += ["default:", "    break;", "}"]
    return out


def fields_copy(st, dpfx, spfx):
    out = []
    for f in st.fields:
        d, s = dpfx + f.name, spfx + f.name
        if isinstance(f.type, Array):
            dc, sc = dpfx + f.type.count, spfx + f.type.count
            out += ["if (%s > 0) {" % sc,
                    "    %s = libxl__calloc(%s, sizeof(*%s));" % (d, sc, d),
                    "    for (int i = 0; i < %s; i++) {" % sc]
            out += indent(f.type.elem.init("%s[i]" % d, None), 2)
            out += indent(f.type.elem.copy("%s[i]" % d, "%s[i]" % s), 2)
            out += ["    }", "    %s = %s;" % (dc, sc), "}"]
        elif isinstance(f.type, KeyedUnion):
            u = f.type
            out += ["switch (%s) {" % (spfx + u.keyvar)]
            for vname, mst in u.members:
                m = member_of(u, vname)
                body = fields_init(mst, "%s.%s." % (d, m)) + \
                    fields_copy(mst, "%s.%s." % (d, m), "%s.%s." % (s, m))
                if body:
                    out += ["case %s: {" % u.keytype.cname(vname)] + \
                        indent(body) + ["    break;", "}"]
            out += ["default:", "    break;", "}"]
        else:
            out += f.type.copy(d, s)
    return out


def fields_equal(st, apfx, bpfx):
    out = []
    for f in st.fields:
        a, b = apfx + f.name, bpfx + f.name
        if isinstance(f.type, Array):
            ac, bc = apfx + f.type.count, bpfx + f.type.count
            out += ["if (%s != %s)" % (ac, bc), "    return false;",
                    "for (int i = 0; i < %s; i++) {" % ac,
                    "    if (!%s)" % f.type.elem.equal("%s[i]" % a, "%s[i]" % b),
                    "        return false;", "}"]
        elif isinstance(f.type, KeyedUnion):
            u = f.type
            out += ["switch (%s) {" % (apfx + u.keyvar)]
            for vname, mst in u.members:
                m = member_of(u, vname)
                body = fields_equal(mst, "%s.%s." % (a, m), "%s.%s." % (b, m))
                if body:
                    out += ["case %s: {" % u.keytype.cname(vname)] + \
                        indent(body) + ["    break;", "}"]
            out += ["default:", "    break;", "}"]
        else:
            out += ["if (!%s)" % f.type.equal(a, b), "    return false;"]
    return out


CHECK = "if (s != yajl_gen_status_ok) goto out;"


def gen_key(key):
    return ["s = libxl__yajl_gen_asciiz(hand, \"%s\");" % key, CHECK]


def fields_gen(st, pfx):
    out = []
    for f in st.fields:
        lv = pfx + f.name
        if isinstance(f.type, Array):
            cnt = pfx + f.type.count
            out += ["if (%s > 0) {" % cnt]
            body = gen_key(f.name) + ["s = yajl_gen_array_open(hand);", CHECK,
                                      "for (int i = 0; i < %s; i++) {" % cnt]
            body += indent(f.type.elem.gen("%s[i]" % lv) + [CHECK])
            body += ["}", "s = yajl_gen_array_close(hand);", CHECK]
            out += indent(body) + ["}"]
        elif isinstance(f.type, KeyedUnion):
            u = f.type
            out += ["switch (%s) {" % (pfx + u.keyvar)]
            for vname, mst in u.members:
                m = member_of(u, vname)
                body = gen_key("%s.%s" % (u.keyvar, vname.lower()))
                body += ["s = yajl_gen_map_open(hand);", CHECK]
                body += fields_gen(mst, "%s.%s." % (lv, m))
                body += ["s = yajl_gen_map_close(hand);", CHECK]
                out += ["case %s: {" % u.keytype.cname(vname)] + indent(body) + \
                    ["    break;", "}"]
            out += ["default:", "    break;", "}"]
        else:
            body = gen_key(f.name) + f.type.gen(lv) + [CHECK]
            cond = f.type.is_default(lv, field_init(f))
            if cond == "false":
                out += body
            else:
                out += ["if (!%s) {" % cond] + indent(body) + ["}"]
    return out


def parse_fail(key, idx=None):
    if idx is None:
        call = "libxl__json_error_in(jc, \"%s\");" % key
    else:
        call = "libxl__json_error_in_index(jc, \"%s\", %s);" % (key, idx)
    return ["if (rc) {", "    " + call, "    goto out;", "}"]


def fields_parse(st, pfx, o="o", depth=0, keypfx=""):
    """Parses the fields of `st` from the JSON map `o`; `x` (x, x1, ...)
    holds each member.  Union members nest one level deeper."""
    x = "x" if depth == 0 else "x%d" % depth
    out = []
    for f in st.fields:
        lv = pfx + f.name
        if isinstance(f.type, KeyedUnion):
            u = f.type
            out += ["switch (%s) {" % (pfx + u.keyvar)]
            for vname, mst in u.members:
                m = member_of(u, vname)
                key = "%s.%s" % (u.keyvar, vname.lower())
                mpfx = "%s.%s." % (lv, m)
                ox = "x%d" % (depth + 1)
                body = fields_init(mst, mpfx)
                body += ["%s = libxl__json_map_get(%s, \"%s\");" % (x, o, key),
                         "if (%s && !libxl__json_is_null(%s)) {" % (x, x)]
                inner = ["rc = libxl__json_check_map(jc, %s);" % x] + parse_fail(key)
                sub = fields_parse(mst, mpfx, x, depth + 1, key + ".")
                if sub:
                    inner += ["{", "    const libxl__json_object *%s;" % ox, ""]
                    inner += indent(sub) + ["}"]
                body += indent(inner) + ["}"]
                out += ["case %s: {" % u.keytype.cname(vname)] + indent(body) + \
                    ["    break;", "}"]
            out += ["default:", "    break;", "}"]
            continue
        out += ["%s = libxl__json_map_get(%s, \"%s\");" % (x, o, f.name)]
        if isinstance(f.type, Array):
            cnt = pfx + f.type.count
            body = ["rc = libxl__json_check_array(jc, %s);" % x] + parse_fail(keypfx + f.name)
            body += ["n = libxl__json_array_length(%s);" % x,
                     "if (n > 0) {",
                     "    %s = libxl__calloc(n, sizeof(*%s));" % (lv, lv),
                     "    for (%s = 0; %s < (int)n; %s++) {" % (cnt, cnt, cnt)]
            el = "%s[%s]" % (lv, cnt)
            inner = f.type.elem.init(el, None)
            inner += f.type.elem.parse("libxl__json_array_get(%s, (size_t)%s)" % (x, cnt), el)
            inner += ["if (rc) {",
                      "    %s++;   /* dispose the partial element too */" % cnt,
                      "    libxl__json_error_in_index(jc, \"%s\", (size_t)%s - 1);" % (keypfx + f.name, cnt),
                      "    goto out;",
                      "}"]
            body += indent(inner, 2) + ["    }", "}"]
            out += ["if (%s && !libxl__json_is_null(%s)) {" % (x, x)] + indent(body) + ["}"]
        else:
            body = f.type.parse(x, lv) + parse_fail(keypfx + f.name)
            out += ["if (%s && !libxl__json_is_null(%s)) {" % (x, x)] + indent(body) + ["}"]
    return out


# --------------------------------------------------------------------------
# Whole files.


def struct_decl(st, depth=0):
    out = []
    for f in st.fields:
        if isinstance(f.type, Array):
            out += ["int %s;" % f.type.count,
                    "%s *%s;" % (f.type.elem.typename, f.name)]
        elif isinstance(f.type, KeyedUnion):
            out += ["union {"]
            for vname, mst in f.type.members:
                out += indent(["struct {"] + indent(struct_decl(mst)) +
                              ["} %s;" % member_of(f.type, vname)])
            out += ["} %s;" % f.name]
        else:
            out += [f.type.decl(f.name)]
    if not out:
        out = ["int placeholder;   /* no fields yet */"]
    return out


def header(types):
    out = []
    for t in types:
        n = t.typename
        if isinstance(t, Enumeration):
            out += ["typedef enum %s {" % n]
            out += ["    %s = %d," % (t.cname(v), num) for v, num in t.values]
            out += ["} %s;" % n,
                    "extern const libxl_enum_string_table %s_string_table[];" % n,
                    "const char *%s_to_string(%s p);" % (n, n),
                    "int %s_from_string(const char *s, %s *e);" % (n, n),
                    ""]
        else:
            out += ["typedef struct %s {" % n] + indent(struct_decl(t)) + \
                ["} %s;" % n,
                 "void %s_init(%s *p);" % (n, n)]
            for f in t.unions():
                out += ["void %s_init_%s(%s *p, %s %s);" % (
                    n, f.type.keyvar, n, f.type.keytype.typename, f.type.keyvar)]
            out += ["void %s_dispose(%s *p);" % (n, n),
                    "void %s_copy(libxl_ctx *ctx, %s *dst, const %s *src);" % (n, n, n),
                    "bool %s_equal(const %s *a, const %s *b);" % (n, n, n),
                    "char *%s_to_json(libxl_ctx *ctx, %s *p);" % (n, n),
                    "int %s_from_json(libxl_ctx *ctx, %s *p, const char *s);" % (n, n),
                    "int %s_from_json_err(%s *p, const char *s, char **err);" % (n, n),
                    ""]
    return out


def json_header(types):
    return ["yajl_gen_status %s_gen_json(yajl_gen hand, %s *p);" % (t.typename, t.typename)
            for t in types]


def private_header(types):
    return ["int %s_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, %s *p);"
            % (t.typename, t.typename) for t in types]


def enum_body(t):
    n = t.typename
    out = ["const libxl_enum_string_table %s_string_table[] = {" % n]
    out += ["    { \"%s\", %s }," % (v.lower(), t.cname(v)) for v, _ in t.values]
    out += ["    { NULL, 0 },", "};", ""]
    out += ["const char *%s_to_string(%s p)" % (n, n), "{",
            "    return libxl__enum_to_string(%s_string_table, (int)p);" % n, "}", ""]
    out += ["int %s_from_string(const char *s, %s *e)" % (n, n), "{",
            "    int v;", "",
            "    if (libxl__enum_from_string(%s_string_table, s, &v))" % n,
            "        return ERROR_FAIL;",
            "    *e = (%s)v;" % n,
            "    return 0;", "}", ""]
    out += ["yajl_gen_status %s_gen_json(yajl_gen hand, %s *p)" % (n, n), "{",
            "    return libxl__enum_gen_json(hand, %s_to_string(*p));" % n, "}", ""]
    out += ["int %s_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, %s *p)" % (n, n),
            "{", "    int v;", "",
            "    if (libxl__enum_parse_json(jc, o, %s_string_table, \"%s\", &v))" % (n, t.name),
            "        return ERROR_INVAL;",
            "    *p = (%s)v;" % n,
            "    return 0;", "}", ""]
    return out


def struct_body(t):
    n = t.typename
    out = ["void %s_init(%s *p)" % (n, n), "{", "    memset(p, 0, sizeof(*p));"]
    out += indent(fields_init(t, "p->")) + ["}", ""]
    for f in t.unions():
        u = f.type
        out += ["void %s_init_%s(%s *p, %s %s)" % (n, u.keyvar, n, u.keytype.typename, u.keyvar),
                "{",
                "    assert(p->%s == %s);" % (u.keyvar, u.keytype.init_value),
                "    p->%s = %s;" % (u.keyvar, u.keyvar)]
        out += indent(union_switch(u, "p->", "p->" + f.name,
                                   lambda m, mpfx: fields_init(m, mpfx)))
        out += ["}", ""]
    out += ["void %s_dispose(%s *p)" % (n, n), "{"]
    out += indent(fields_dispose(t, "p->"))
    out += ["    %s_init(p);" % n, "}", ""]
    out += ["void %s_copy(libxl_ctx *ctx, %s *dst, const %s *src)" % (n, n, n), "{",
            "    %s_init(dst);" % n]
    out += indent(fields_copy(t, "dst->", "src->"))
    out += ["    (void)ctx;", "}", ""]
    out += ["bool %s_equal(const %s *a, const %s *b)" % (n, n, n), "{"]
    out += indent(fields_equal(t, "a->", "b->"))
    out += ["    return true;", "}", ""]
    out += ["yajl_gen_status %s_gen_json(yajl_gen hand, %s *p)" % (n, n), "{",
            "    yajl_gen_status s;", "",
            "    s = yajl_gen_map_open(hand);", "    " + CHECK]
    out += indent(fields_gen(t, "p->"))
    out += ["    s = yajl_gen_map_close(hand);", "out:", "    return s;", "}", ""]
    out += ["int %s_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, %s *p)" % (n, n),
            "{", "    const libxl__json_object *x;", "    size_t n;", "    int rc;", "",
            "    rc = libxl__json_check_map(jc, o);",
            "    if (rc)", "        goto out;"]
    out += indent(fields_parse(t, "p->"))
    out += ["    rc = 0;", "out:", "    (void)n;", "    (void)x;", "    return rc;", "}", ""]
    out += ["static yajl_gen_status %s_gen_json_any(yajl_gen hand, void *p)" % n, "{",
            "    return %s_gen_json(hand, p);" % n, "}", ""]
    out += ["static int %s_parse_json_any(libxl__json_ctx *jc, const libxl__json_object *o, void *p)" % n,
            "{", "    return %s_parse_json(jc, o, p);" % n, "}", ""]
    out += ["char *%s_to_json(libxl_ctx *ctx, %s *p)" % (n, n), "{",
            "    (void)ctx;",
            "    return libxl__object_to_json(%s_gen_json_any, p);" % n,
            "}", ""]
    out += ["int %s_from_json_err(%s *p, const char *s, char **err)" % (n, n), "{",
            "    return libxl__object_from_json(%s_parse_json_any, p, s, err);" % n,
            "}", ""]
    out += ["int %s_from_json(libxl_ctx *ctx, %s *p, const char *s)" % (n, n), "{",
            "    (void)ctx;",
            "    return %s_from_json_err(p, s, NULL);" % n,
            "}", ""]
    return out


BANNER = ["/* DO NOT EDIT: generated by gentypes.py from libxl_types.idl. */"]


def write(path, lines):
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    idl, types_h, json_h, private_h, types_c = argv[1:]
    scope = {
        "Enumeration": Enumeration, "Struct": Struct, "Array": Array,
        "KeyedUnion": KeyedUnion,
        "integer": integer, "uint32": uint32, "uint64": uint64, "memkb": memkb,
        "bool": bool_, "string": string, "defbool": defbool, "uuid": uuid,
        "mac": mac, "bitmap": bitmap, "string_list": string_list,
        "domid": domid, "devid": devid,
    }
    with open(idl) as fh:
        src = fh.read()
    exec(compile(src, idl, "exec"), scope)
    types = list(ALL_TYPES)

    write(types_h, BANNER + [
        "/* The types of libxl_types.idl.  Include <libxl.h>, not this. */",
        "#ifndef XENKVM_LIBXL_TYPES_H", "#define XENKVM_LIBXL_TYPES_H", ""] +
        header(types) + ["#endif"])
    write(json_h, BANNER + [
        "/* yajl generators of the types of libxl_types.idl.  Include <libxl_json.h>. */",
        "#ifndef XENKVM_LIBXL_TYPES_JSON_H", "#define XENKVM_LIBXL_TYPES_JSON_H", ""] +
        json_header(types) + ["", "#endif"])
    write(private_h, BANNER + [
        "/* JSON parsers of the types of libxl_types.idl (internal). */",
        "#ifndef XENKVM_LIBXL_TYPES_PRIVATE_H", "#define XENKVM_LIBXL_TYPES_PRIVATE_H", ""] +
        private_header(types) + ["", "#endif"])
    body = BANNER + ["#include \"config.h\"", "",
                     "#include <assert.h>", "#include <stdbool.h>",
                     "#include <stdlib.h>", "#include <string.h>", "",
                     "#include \"libxl_internal.h\"", ""]
    for t in types:
        body += enum_body(t) if isinstance(t, Enumeration) else struct_body(t)
    write(types_c, body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
