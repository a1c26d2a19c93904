/* yamlout: a small emitter rather than libyaml's, because libyaml's emitter decides
 * quoting and line folding on its own (it folds long strings at 80 columns), while a
 * manifest an operator reads and diffs should keep each value on one line and quote only
 * what YAML would otherwise misread. */
#include "codec/yamlout.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "xmalloc.h"

static bool
needs_quotes(const char *s)
{
    static const char *const words[] = {"true",  "false", "True", "False", "TRUE", "FALSE",
                                        "yes",   "no",    "Yes",  "No",    "YES",  "NO",
                                        "on",    "off",   "On",   "Off",   "ON",   "OFF",
                                        "null",  "Null",  "NULL", "~",     "y",    "n",
                                        "Y",     "N",     NULL};
    size_t n = strlen(s);
    if (n == 0)
        return true;
    for (int i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    /* Anything a YAML reader would take as a number. */
    if (strspn(s, "+-0123456789.eExXoO_") == n && strpbrk(s, "0123456789") != NULL)
        return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[n - 1]))
        return true;
    if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
        return true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return true;
    return false;
}

static void
quoted(struct strbuf *out, const char *s)
{
    strbuf_appendc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"':
            strbuf_append(out, "\\\"");
            break;
        case '\\':
            strbuf_append(out, "\\\\");
            break;
        case '\n':
            strbuf_append(out, "\\n");
            break;
        case '\t':
            strbuf_append(out, "\\t");
            break;
        default:
            if (c < 0x20)
                strbuf_appendf(out, "\\x%02x", c);
            else
                strbuf_appendc(out, (char)c);
        }
    }
    strbuf_appendc(out, '"');
}

static void
indent(struct strbuf *out, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_append(out, "  ");
}

static void
scalar(struct strbuf *out, const json_t *v, int level)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        if (strchr(s, '\n') != NULL && n > 0) {
            /* Block literal keeps embedded documents (a kubeconfig) readable. */
            strbuf_append(out, s[n - 1] == '\n' ? "|\n" : "|-\n");
            const char *p = s;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                if (len > 0)
                    indent(out, level);
                strbuf_appendn(out, p, len);
                strbuf_appendc(out, '\n');
                if (nl == NULL)
                    break;
                p = nl + 1;
            }
            return;
        }
        if (needs_quotes(s))
            quoted(out, s);
        else
            strbuf_append(out, s);
        break;
    }
    case JSON_INTEGER:
        strbuf_appendf(out, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        strbuf_appendf(out, "%.17g", json_real_value(v));
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
    return json_is_string(v) && strchr(json_string_value(v), '\n') != NULL;
}

static void emit(struct strbuf *out, const json_t *v, int level);

static void
emit_key(struct strbuf *out, const char *k)
{
    if (needs_quotes(k))
        quoted(out, k);
    else
        strbuf_append(out, k);
    strbuf_appendc(out, ':');
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
        emit_key(out, k);
        if ((json_is_object(v) && json_object_size(v) > 0) ||
            (json_is_array(v) && json_array_size(v) > 0)) {
            strbuf_appendc(out, '\n');
            emit(out, v, json_is_array(v) ? level : level + 1);
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
