/* yamlout: a small emitter rather than libyaml's, because libyaml's emitter decides
 * quoting and line folding on its own (it folds long strings at 80 columns), while a
 * manifest an operator reads and diffs should keep each value on one line and quote only
 * what YAML would otherwise misread. Three forms of string: plain when no reader could
 * take it for anything else; a block literal for multi-line text (with the indentation
 * indicator and chomping that give it back exactly); double quotes with escapes for the
 * rest, which is the only form that can carry CR, control characters and the code points
 * YAML readers refuse or take for line breaks. */
#include "codec/yamlout.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The next code point of valid UTF-8 (jansson strings are); a stray byte counts as itself. */
static size_t
u8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    if (len > n)
        len = 1;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = v << 6 | (s[i] & 0x3fu);
    }
    *cp = v;
    return len;
}

/* Characters a YAML reader refuses raw (outside its printable set) or reads as a line
 * break (YAML 1.1 readers, libyaml and PyYAML, break lines at NEL, LS and PS): written
 * only as escapes in double quotes. Tab and newline are handled by the caller. */
static bool
must_escape(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0xfeff || cp == 0xfffe || cp == 0xffff || (cp >= 0xd800 && cp <= 0xdfff) ||
           cp > 0x10ffff;
}

/* Does s hold a character that only an escape can carry? With allow_lines, newline and tab
 * are allowed (a block literal carries them). */
static bool
has_escapes(const char *s, size_t n, bool allow_lines)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += u8_next((const unsigned char *)s + i, n - i, &cp);
        if (allow_lines && (cp == '\n' || cp == '\t'))
            continue;
        if (must_escape(cp))
            return true;
    }
    return false;
}

/* Might a reader take s, which starts with a digit, for a number or a date? Integers in
 * any base (0x, 0o, 0b, YAML 1.1's 017 and 1_000), floats, sexagesimal 1:20, and dates
 * 2001-12-14[...]. "1G" and "600m" are text to every reader. */
static bool
looks_numeric(const char *s, size_t n)
{
    if (!isdigit((unsigned char)s[0]))
        return false;
    if (s[0] == '0' && n > 1 && strchr("xXoObB", s[1]) != NULL)
        return true;
    if (strspn(s, "0123456789_:.-+eE") == n)
        return true;
    return n >= 8 && strspn(s, "0123456789") == 4 && s[4] == '-' && isdigit((unsigned char)s[5]);
}

/* Would a plain scalar be misread: as another type (YAML 1.2 core and the 1.1 schema
 * PyYAML resolves: yes/no, sexagesimal 1:20, dates, 0b1, .inf, the merge key "<<"), as
 * structure, or with its edges trimmed? A leading '+' or '.' is quoted outright: cheaper
 * than modelling every number form of two YAML versions. */
static bool
needs_quotes(const char *s, size_t n)
{
    static const char *const words[] = {"true",  "false", "True", "False", "TRUE", "FALSE",
                                        "yes",   "no",    "Yes",  "No",    "YES",  "NO",
                                        "on",    "off",   "On",   "Off",   "ON",   "OFF",
                                        "null",  "Null",  "NULL", "~",     "y",    "n",
                                        "Y",     "N",     "<<",   "=",     NULL};
    if (n == 0 || strlen(s) != n)
        return true;
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    if (s[0] == '+' || s[0] == '.' || looks_numeric(s, n))
        return true;
    /* Anything a YAML reader would take as a number. */
    if (strspn(s, "+-0123456789.eExXoO_") == n && strpbrk(s, "0123456789") != NULL)
        return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[n - 1]))
        return true;
    if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
        return true;
    return has_escapes(s, n, false) || memchr(s, '\t', n) != NULL;
}

static void
quoted(struct strbuf *out, const char *s, size_t n)
{
    strbuf_appendc(out, '"');
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = u8_next((const unsigned char *)s + i, n - i, &cp);
        switch (cp) {
        case '"':
            strbuf_append(out, "\\\"");
            break;
        case '\\':
            strbuf_append(out, "\\\\");
            break;
        case '\0':
            strbuf_append(out, "\\0");
            break;
        case '\n':
            strbuf_append(out, "\\n");
            break;
        case '\r':
            strbuf_append(out, "\\r");
            break;
        case '\t':
            strbuf_append(out, "\\t");
            break;
        default:
            if (must_escape(cp) && cp <= 0xff)
                strbuf_appendf(out, "\\x%02x", (unsigned)cp);
            else if (must_escape(cp) && cp <= 0xffff)
                strbuf_appendf(out, "\\u%04x", (unsigned)cp);
            else if (must_escape(cp))
                strbuf_appendf(out, "\\U%08x", (unsigned)cp);
            else
                strbuf_appendn(out, s + i, len);
        }
        i += len;
    }
    strbuf_appendc(out, '"');
}

static void
indent(struct strbuf *out, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_append(out, "  ");
}

/* A multi-line string as a block literal keeps embedded documents (a kubeconfig, a
 * script) readable. It must hold a line of text (a string of newlines alone reads back
 * empty) and nothing that needs an escape (a CR would read back as a line break). */
static bool
literal_ok(const char *s, size_t n)
{
    return memchr(s, '\n', n) != NULL && strspn(s, "\n") < n && strlen(s) == n &&
           !has_escapes(s, n, true);
}

/* "|" with an indentation indicator when the first line with text starts with a space
 * (else a reader takes that space for indentation), and the chomping that keeps the
 * trailing newlines exactly: none "|-", one "|", more "|+". Content at level. */
static void
literal(struct strbuf *out, const char *s, size_t n, int level)
{
    size_t trail = 0;
    while (trail < n && s[n - 1 - trail] == '\n')
        trail++;
    const char *first = s + strspn(s, "\n");
    strbuf_append(out, first[0] == ' ' || first[0] == '\t' ? "|2" : "|");
    strbuf_append(out, trail == 0 ? "-\n" : trail == 1 ? "\n" : "+\n");
    size_t body = n - (trail > 0 ? 1 : 0); /* the last newline ends the last line */
    for (size_t i = 0;;) {
        const char *nl = memchr(s + i, '\n', body - i);
        size_t len = nl ? (size_t)(nl - (s + i)) : body - i;
        if (len > 0)
            indent(out, level);
        strbuf_appendn(out, s + i, len);
        strbuf_appendc(out, '\n');
        if (nl == NULL)
            break;
        i += len + 1;
    }
}

/* A real that reads back as a real: the shortest form that round-trips, with a '.' so
 * that no reader takes it for an integer, and an exponent sign (YAML 1.1 wants one). */
static void
real(struct strbuf *out, double d)
{
    char buf[48];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    char *e = strchr(buf, 'e');
    if (strchr(buf, '.') == NULL) {
        char tail[48] = "";
        if (e != NULL) {
            snprintf(tail, sizeof tail, "%s", e);
            *e = '\0';
        }
        strbuf_appendf(out, "%s.0%s", buf, tail);
        return;
    }
    strbuf_append(out, buf);
}

static void
scalar(struct strbuf *out, const json_t *v, int level)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (literal_ok(s, n)) {
            literal(out, s, n, level);
            return;
        }
        if (needs_quotes(s, n))
            quoted(out, s, n);
        else
            strbuf_appendn(out, s, n);
        break;
    }
    case JSON_INTEGER:
        strbuf_appendf(out, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        real(out, json_real_value(v));
        break;
    case JSON_TRUE:
        strbuf_append(out, "true");
        break;
    case JSON_FALSE:
        strbuf_append(out, "false");
        break;
    default:
        strbuf_append(out, "null");
    }
    strbuf_appendc(out, '\n');
}

static bool
is_block_literal(const json_t *v)
{
    return json_is_string(v) && literal_ok(json_string_value(v), json_string_length(v));
}

static void emit(struct strbuf *out, const json_t *v, int level);

/* YAML readers give an implicit key at most 1024 characters: a longer one is written as
 * an explicit "? key" entry. */
#define SIMPLE_KEY_MAX 1000

/* The key and its ':'; true when it is written as an explicit entry ("? key" NL ":"). */
static bool
emit_key(struct strbuf *out, const char *k, int level)
{
    struct strbuf kb;
    strbuf_init(&kb);
    yamlout_key(k, &kb);
    bool explicit = kb.len > SIMPLE_KEY_MAX;
    if (explicit) {
        strbuf_append(out, "? ");
        strbuf_appendn(out, kb.s, kb.len);
        strbuf_appendc(out, '\n');
        indent(out, level);
    } else {
        strbuf_appendn(out, kb.s, kb.len);
    }
    strbuf_appendc(out, ':');
    strbuf_fini(&kb);
    return explicit;
}

/* Emit an object's members; the first one continues the current line when inline is set
 * (the "- key: value" form of a list item). */
static void
emit_members(struct strbuf *out, const json_t *o, int level, bool first_inline)
{
    const char *k;
    const json_t *v;
    bool first = true;
    json_object_foreach((json_t *)o, k, v) {
        if (!(first && first_inline))
            indent(out, level);
        first = false;
        bool explicit = emit_key(out, k, level);
        if ((json_is_object(v) && json_object_size(v) > 0) ||
            (json_is_array(v) && json_array_size(v) > 0)) {
            strbuf_appendc(out, '\n');
            /* A list under an explicit key is indented: ":" NL "- x" at its level is not
             * a value every reader accepts. */
            emit(out, v, json_is_array(v) && !explicit ? level : level + 1);
        } else if (json_is_object(v)) {
            strbuf_append(out, " {}\n");
        } else if (json_is_array(v)) {
            strbuf_append(out, " []\n");
        } else {
            strbuf_appendc(out, ' ');
            scalar(out, v, level + 1);
        }
    }
}

static void
emit(struct strbuf *out, const json_t *v, int level)
{
    if (json_is_object(v)) {
        emit_members(out, v, level, false);
    } else if (json_is_array(v)) {
        size_t i;
        const json_t *it;
        json_array_foreach((json_t *)v, i, it) {
            indent(out, level);
            strbuf_append(out, "- ");
            if (json_is_object(it) && json_object_size(it) > 0)
                emit_members(out, it, level + 1, true);
            else if (json_is_array(it) && json_array_size(it) > 0) {
                strbuf_appendc(out, '\n');
                emit(out, it, level + 1);
            } else if (json_is_object(it))
                strbuf_append(out, "{}\n");
            else if (json_is_array(it))
                strbuf_append(out, "[]\n");
            else
                scalar(out, it, level + 1);
        }
    } else {
        indent(out, level);
        scalar(out, v, level + (is_block_literal(v) ? 1 : 0));
    }
}

void
yamlout_yaml(const json_t *doc, struct strbuf *out)
{
    if (json_is_object(doc) && json_object_size(doc) == 0)
        strbuf_append(out, "{}\n");
    else if (json_is_array(doc) && json_array_size(doc) == 0)
        strbuf_append(out, "[]\n");
    else
        emit(out, doc, 0);
}

void
yamlout_json(const json_t *doc, struct strbuf *out)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s != NULL) {
        strbuf_append(out, s);
        strbuf_appendc(out, '\n');
        free(s);
    }
}

static void
nix_string(struct strbuf *out, const char *s)
{
    strbuf_appendc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_appendc(out, '\\');
        if (*s == '$' && s[1] == '{') {
            strbuf_append(out, "\\$");
            continue;
        }
        if (*s == '\n') {
            strbuf_append(out, "\\n");
            continue;
        }
        strbuf_appendc(out, *s);
    }
    strbuf_appendc(out, '"');
}

static bool
nix_plain_attr(const char *k)
{
    if (!(isalpha((unsigned char)k[0]) || k[0] == '_'))
        return false;
    for (const char *p = k; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '\''))
            return false;
    return true;
}

static void
nix(struct strbuf *out, const json_t *v, int level)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (json_object_size(v) == 0) {
            strbuf_append(out, "{ }");
            return;
        }
        strbuf_append(out, "{\n");
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            indent(out, level + 1);
            if (nix_plain_attr(k))
                strbuf_append(out, k);
            else
                nix_string(out, k);
            strbuf_append(out, " = ");
            nix(out, x, level + 1);
            strbuf_append(out, ";\n");
        }
        indent(out, level);
        strbuf_appendc(out, '}');
        return;
    }
    case JSON_ARRAY: {
        if (json_array_size(v) == 0) {
            strbuf_append(out, "[ ]");
            return;
        }
        strbuf_append(out, "[\n");
        size_t i;
        const json_t *x;
        json_array_foreach((json_t *)v, i, x) {
            indent(out, level + 1);
            /* A list element that is not atomic needs parentheses only for function
             * applications; attribute sets and lists are atoms already. */
            nix(out, x, level + 1);
            strbuf_appendc(out, '\n');
        }
        indent(out, level);
        strbuf_appendc(out, ']');
        return;
    }
    case JSON_STRING:
        nix_string(out, json_string_value(v));
        return;
    case JSON_INTEGER:
        strbuf_appendf(out, "%lld", (long long)json_integer_value(v));
        return;
    case JSON_REAL:
        strbuf_appendf(out, "%.17g", json_real_value(v));
        return;
    case JSON_TRUE:
        strbuf_append(out, "true");
        return;
    case JSON_FALSE:
        strbuf_append(out, "false");
        return;
    case JSON_NULL:
        strbuf_append(out, "null");
        return;
    }
}

void
yamlout_nix(const json_t *doc, struct strbuf *out)
{
    nix(out, doc, 0);
    strbuf_appendc(out, '\n');
}

void
yamlout_docs(const json_t *docs, enum yamlout_format fmt, struct strbuf *out)
{
    size_t n = json_array_size(docs), i;
    const json_t *d;
    switch (fmt) {
    case YAMLOUT_YAML:
        json_array_foreach((json_t *)docs, i, d) {
            if (i > 0)
                strbuf_append(out, "---\n");
            yamlout_yaml(d, out);
        }
        break;
    case YAMLOUT_JSON:
        if (n == 1) {
            yamlout_json(json_array_get(docs, 0), out);
        } else {
            json_t *list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind", "List",
                                     "items", docs);
            yamlout_json(list, out);
            json_decref(list);
        }
        break;
    case YAMLOUT_NIX:
        if (n == 1)
            yamlout_nix(json_array_get(docs, 0), out);
        else
            yamlout_nix(docs, out);
        break;
    }
}

void
yamlout_key(const char *k, struct strbuf *out)
{
    size_t n = strlen(k);
    if (needs_quotes(k, n) || memchr(k, '\n', n) != NULL)
        quoted(out, k, n);
    else
        strbuf_appendn(out, k, n);
}

int
yamlout_parse_format(const char *s)
{
    if (s == NULL || strcmp(s, "yaml") == 0)
        return YAMLOUT_YAML;
    if (strcmp(s, "json") == 0)
        return YAMLOUT_JSON;
    if (strcmp(s, "nix") == 0)
        return YAMLOUT_NIX;
    return -1;
}
