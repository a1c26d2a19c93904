/* kube_secret: one key of a Secret, out of the GET response's bytes. A Secret read for its
 * monitor password also carries root's and xtrabackup's: parsed into a jansson tree, every
 * one of them would be copied (the lexer's token buffer, the tree's strings) into memory
 * that jansson frees without zeroing, where a core dump finds them. So the body is scanned
 * with the structural scanner (codec/jscan.h) instead: only the wanted value is copied,
 * unescaped and decoded, in buffers zeroed before they are freed. The body itself belongs
 * to the transport, which keeps it in one buffer and zeroes it (http.h, opts.secret).
 *
 * Key names are not secret: they are listed when the wanted one is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"
#include "codec/jscan.h"
#include "kube/kube_internal.h"

/* The content of the JSON string s[0..n) (without its quotes) unescaped into out (n + 1
 * bytes), NUL-terminated; its length, or -1 for an escape that base64 or a key name cannot
 * hold (a non-ASCII \u, a bad escape). */
static long
unescape(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            out[k++] = c;
            continue;
        }
        if (++i >= n)
            return -1;
        switch (s[i]) {
        case '"':
        case '\\':
        case '/':
            out[k++] = s[i];
            break;
        case 'b':
            out[k++] = '\b';
            break;
        case 'f':
            out[k++] = '\f';
            break;
        case 'n':
            out[k++] = '\n';
            break;
        case 'r':
            out[k++] = '\r';
            break;
        case 't':
            out[k++] = '\t';
            break;
        case 'u': {
            unsigned v = 0;
            for (int d = 0; d < 4; d++) {
                if (++i >= n)
                    return -1;
                char h = s[i];
                v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
                                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                               : 99);
                if (v > 0xffff)
                    return -1;
            }
            if (v == 0 || v >= 0x80)
                return -1;
            out[k++] = (char)v;
            break;
        }
        default:
            return -1;
        }
    }
    out[k] = '\0';
    return (long)k;
}

/* Does the JSON string at s[a..b) (quotes included) equal key? */
static bool
key_is(const char *s, size_t a, size_t b, const char *key)
{
    size_t n = b - a - 2;
    if (memchr(s + a + 1, '\\', n) == NULL)
        return strlen(key) == n && memcmp(s + a + 1, key, n) == 0;
    char *tmp = xmalloc(n + 1);
    long k = unescape(s + a + 1, n, tmp);
    bool eq = k >= 0 && strcmp(tmp, key) == 0;
    free(tmp);
    return eq;
}

/* The members of the object at s[i] (s[i] == '{'): for each, fn(key range, value range).
 * Returns 0, or -1 when the object is malformed. fn returns non-zero to stop early. */
typedef int member_fn(const char *s, size_t ka, size_t kb, size_t va, size_t vb, void *arg);

static int
each_member(const char *s, size_t i, size_t n, member_fn *fn, void *arg)
{
    i = jscan_ws(s, i + 1, n);
    if (i < n && s[i] == '}')
        return 0;
    for (;;) {
        if (i >= n || s[i] != '"')
            return -1;
        size_t ke = jscan_string(s, i, n);
        if (ke == 0)
            return -1;
        size_t c = jscan_ws(s, ke, n);
        if (c >= n || s[c] != ':')
            return -1;
        size_t va = jscan_ws(s, c + 1, n);
        size_t ve = jscan_value(s, va, n);
        if (ve == 0)
            return -1;
        if (fn(s, i, ke, va, ve, arg) != 0)
            return 0;
        i = jscan_ws(s, ve, n);
        if (i < n && s[i] == '}')
            return 0;
        if (i >= n || s[i] != ',')
            return -1;
        i = jscan_ws(s, i + 1, n);
    }
}

struct find {
    const char *key;
    size_t va, ve; /* the value found, ve 0: none */
    struct strbuf *keys;
};

static int
on_top(const char *s, size_t ka, size_t kb, size_t va, size_t vb, void *arg)
{
    struct find *f = arg;
    (void)vb;
    if (!key_is(s, ka, kb, "data"))
        return 0;
    f->va = va; /* the data object (its members are looked at next) */
    f->ve = vb;
    return 1;
}

static int
on_data(const char *s, size_t ka, size_t kb, size_t va, size_t vb, void *arg)
{
    struct find *f = arg;
    if (key_is(s, ka, kb, f->key)) {
        f->va = va;
        f->ve = vb;
        return 1;
    }
    /* Not the one: only its name is kept, for the message (as key names may be spelt:
     * anything else shows as '?', so that a hostile answer cannot drive the terminal). */
    if (f->keys->len > 200)
        return 0;
    if (f->keys->len)
        strbuf_append(f->keys, ", ");
    for (size_t k = ka + 1; k + 1 < kb && k < ka + 64; k++) {
        char c = s[k];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        strbuf_appendc(f->keys, ok ? c : '?');
    }
    return 0;
}

int
kube__secret_value(const char *body, size_t n, const char *key, char **val, size_t *val_len,
                   struct strbuf *keys, struct pxerr *err)
{
    size_t i = jscan_ws(body, 0, n);
    if (i >= n || body[i] != '{')
        return pxerr_set(err, PXE_PARSE, "the answer is not a JSON object");
    struct find f = {.key = key, .keys = keys};
    if (each_member(body, i, n, on_top, &f) < 0)
        return pxerr_set(err, PXE_PARSE, "the answer is not valid JSON");
    if (f.ve == 0 || body[f.va] != '{')
        return pxerr_set(err, PXE_NOTFOUND, "no data");
    size_t da = f.va;
    f.ve = 0;
    if (each_member(body, da, n, on_data, &f) < 0)
        return pxerr_set(err, PXE_PARSE, "its data is not valid JSON");
    if (f.ve == 0)
        return pxerr_set(err, PXE_NOTFOUND, "no key");
    if (body[f.va] != '"')
        return pxerr_set(err, PXE_PARSE, "key '%s' is not a string", key);
    size_t sn = f.ve - f.va - 2;
    char *b64 = xmalloc(sn + 1);
    long bn = unescape(body + f.va + 1, sn, b64);
    int rc = bn < 0 ? PXE_PARSE : base64_decode(b64, (size_t)bn, BASE64_NOPAD, val, val_len);
    explicit_bzero(b64, sn + 1);
    free(b64);
    if (rc != 0)
        return pxerr_set(err, PXE_PARSE, "key '%s' is not valid base64", key);
    return 0;
}
