/* kube_list: a LIST response cut into its items as its bytes arrive (kube_internal.h).
 *
 * A page of 500 injected pods is about 10 MB of JSON. Holding it whole until the transfer
 * ends, then parsing it as one tree, made the page the peak of the console's memory; here
 * each item is handed on as soon as its closing bracket arrives and only an unfinished item
 * stays buffered (a complete one inside a fresh chunk is passed in place, without a copy).
 * The scan checks structure only (jscan.h); whoever parses an item validates it. */
#include "kube/kube_internal.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "codec/jscan.h"

enum { L_OPEN, L_KEY, L_VALUE, L_AFTER, L_ITEMS_FIRST, L_ITEM, L_ITEMS_NEXT, L_DONE };
enum { K_OTHER, K_META, K_ITEMS };

void
kube_list_dec_init(struct kube_list_dec *d, size_t max_item)
{
    memset(d, 0, sizeof *d);
    strbuf_init(&d->buf);
    strbuf_init(&d->meta);
    d->max_item = max_item ? max_item : KUBE_LINE_MAX;
}

void
kube_list_dec_fini(struct kube_list_dec *d)
{
    strbuf_fini(&d->buf);
    strbuf_fini(&d->meta);
}

void
kube_list_dec_reset(struct kube_list_dec *d)
{
    size_t max = d->max_item;
    kube_list_dec_fini(d); /* release a large buffer, not just empty it */
    kube_list_dec_init(d, max);
}

static bool
is_word(char c)
{
    return c != '"' && c != '{' && c != '[';
}

/* Scan s[0..n) from d's state. Returns 0 with *used = bytes fully consumed (the rest is an
 * unfinished token), fn's value, or PXE_PARSE. */
static int
scan(struct kube_list_dec *d, const char *s, size_t n, size_t *used, kube_list_item_fn *fn,
     void *arg, struct pxerr *err)
{
    size_t i = 0, j, e;
    for (;;) {
        switch (d->state) {
        case L_OPEN:
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            if (s[j] != '{')
                return pxerr_set(err, PXE_PARSE, "LIST response is not a JSON object");
            i = j + 1;
            d->state = L_KEY;
            break;
        case L_KEY: {
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            i = j; /* an unfinished member is kept from its key on */
            if (s[j] == '}') {
                i = j + 1;
                d->state = L_DONE;
                break;
            }
            if (s[j] != '"')
                return pxerr_set(err, PXE_PARSE, "LIST response: key expected at byte %zu",
                                 d->off + j);
            size_t ke = jscan_string(s, j, n);
            if (ke == 0)
                goto more;
            size_t k = jscan_ws(s, ke, n);
            if (k == n)
                goto more;
            if (s[k] != ':')
                return pxerr_set(err, PXE_PARSE, "LIST response: ':' expected at byte %zu",
                                 d->off + k);
            size_t v = jscan_ws(s, k + 1, n);
            if (v == n)
                goto more;
            size_t klen = ke - j - 2;
            d->key = klen == 8 && memcmp(s + j + 1, "metadata", 8) == 0 ? K_META
                     : klen == 5 && memcmp(s + j + 1, "items", 5) == 0  ? K_ITEMS
                                                                        : K_OTHER;
            if (d->key == K_ITEMS && s[v] == '[') {
                d->have_items = 1;
                i = v + 1;
                d->state = L_ITEMS_FIRST;
            } else {
                i = v;
                d->state = L_VALUE;
            }
            break;
        }
        case L_VALUE:
            e = jscan_value(s, i, n);
            if (e == 0 || (e == n && is_word(s[i])))
                goto more;
            if (d->key == K_META) {
                strbuf_reset(&d->meta);
                strbuf_appendn(&d->meta, s + i, e - i);
            } else if (d->key == K_ITEMS && e - i == 4 && memcmp(s + i, "null", 4) == 0) {
                d->have_items = 1; /* an empty list may say null */
            }
            i = e;
            d->state = L_AFTER;
            break;
        case L_AFTER:
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            if (s[j] != ',' && s[j] != '}')
                return pxerr_set(err, PXE_PARSE, "LIST response: ',' or '}' expected at byte %zu",
                                 d->off + j);
            d->state = s[j] == ',' ? L_KEY : L_DONE;
            i = j + 1;
            break;
        case L_ITEMS_FIRST:
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            i = s[j] == ']' ? j + 1 : j;
            d->state = s[j] == ']' ? L_AFTER : L_ITEM;
            break;
        case L_ITEM: {
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            i = j;
            e = jscan_value(s, j, n);
            if (e == 0 || (e == n && is_word(s[j])))
                goto more;
            d->n_items++;
            d->state = L_ITEMS_NEXT;
            i = e;
            int rc = fn(s + j, e - j, arg);
            if (rc < 0)
                return rc;
            break;
        }
        case L_ITEMS_NEXT:
            if ((j = jscan_ws(s, i, n)) == n)
                goto more;
            if (s[j] != ',' && s[j] != ']')
                return pxerr_set(err, PXE_PARSE, "LIST response: ',' expected at byte %zu",
                                 d->off + j);
            d->state = s[j] == ',' ? L_ITEM : L_AFTER;
            i = j + 1;
            break;
        default: /* L_DONE: what follows the closing brace is ignored */
            i = n;
            goto more;
        }
    }
more:
    if (n - i > d->max_item)
        return pxerr_set(err, PXE_PARSE,
                         "LIST response: a value larger than %zu bytes at "
                         "byte %zu",
                         d->max_item, d->off + i);
    *used = i;
    return 0;
}

int
kube_list_dec_feed(struct kube_list_dec *d, const char *data, size_t len, kube_list_item_fn *fn,
                   void *arg, struct pxerr *err)
{
    size_t used = 0;
    int rc;
    if (d->buf.len == 0) {
        /* Complete items are passed straight from the chunk; only its tail is kept. */
        if ((rc = scan(d, data, len, &used, fn, arg, err)) != 0)
            return rc;
        strbuf_appendn(&d->buf, data + used, len - used);
        d->off += used;
        return 0;
    }
    strbuf_appendn(&d->buf, data, len);
    if ((rc = scan(d, d->buf.s, d->buf.len, &used, fn, arg, err)) != 0)
        return rc;
    d->off += used;
    if (used == d->buf.len && d->buf.len > (1u << 20)) {
        strbuf_fini(&d->buf); /* do not keep a big item's buffer for small ones */
        strbuf_init(&d->buf);
    } else if (used > 0) {
        memmove(d->buf.s, d->buf.s + used, d->buf.len - used);
        d->buf.len -= used;
        d->buf.s[d->buf.len] = '\0';
    }
    return 0;
}

int
kube_list_dec_finish(struct kube_list_dec *d, const char **meta, size_t *meta_len,
                     struct pxerr *err)
{
    *meta = NULL;
    *meta_len = 0;
    if (d->state == L_OPEN)
        return pxerr_set(err, PXE_PARSE, "LIST response is not a JSON object");
    if (d->state != L_DONE)
        return pxerr_set(err, PXE_PARSE, "LIST response: truncated at byte %zu (no closing '%c')",
                         d->off + d->buf.len,
                         d->state >= L_ITEMS_FIRST && d->state <= L_ITEMS_NEXT ? ']' : '}');
    if (!d->have_items)
        return pxerr_set(err, PXE_PARSE, "LIST response is not a list (no \"items\" array)");
    if (d->meta.len) {
        *meta = d->meta.s;
        *meta_len = d->meta.len;
    }
    return 0;
}

int
kube__list_split(const char *s, size_t n, kube_list_item_fn *fn, void *arg, char **meta_out,
                 size_t *meta_len, struct pxerr *err)
{
    struct kube_list_dec d;
    kube_list_dec_init(&d, n + 1);
    const char *meta = NULL;
    *meta_out = NULL;
    *meta_len = 0;
    int rc = kube_list_dec_feed(&d, s, n, fn, arg, err);
    if (rc == 0)
        rc = kube_list_dec_finish(&d, &meta, meta_len, err);
    if (rc == 0 && meta)
        *meta_out = xstrndup(meta, *meta_len);
    kube_list_dec_fini(&d);
    return rc;
}
