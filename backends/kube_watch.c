/* kube_watch: the incremental decoder of a Kubernetes watch stream. The API server writes one
 * JSON event per line; HTTP chunking and TCP cut those lines anywhere, so bytes are kept
 * until a newline completes an event. Complete lines found in a fresh chunk are parsed in
 * place (no copy); only an unfinished tail is buffered. Each event is parsed once and handed
 * over borrowed, then freed: nothing of the JSON stays. A line that is not an event, or one
 * longer than the cap, is an error that the informer answers by restarting the watch.
 *
 * It deliberately does not interpret events (that is the informer's job in kube.c). */
#include "kube_internal.h"

#include <string.h>

void
kube_watch_dec_init(struct kube_watch_dec *d, size_t max_line)
{
    strbuf_init(&d->buf);
    d->max_line = max_line ? max_line : KUBE_LINE_MAX;
    d->n_events = 0;
}

void
kube_watch_dec_fini(struct kube_watch_dec *d)
{
    strbuf_fini(&d->buf);
}

void
kube_watch_dec_reset(struct kube_watch_dec *d)
{
    strbuf_fini(&d->buf); /* release a large buffer, not just empty it */
    strbuf_init(&d->buf);
    d->n_events = 0;
}

static int
one_line(struct kube_watch_dec *d, const char *line, size_t n, kube_watch_event_fn *fn,
         void *arg, struct pxerr *err)
{
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == n)
        return 0; /* blank line: keep-alive */
    size_t no = d->n_events + 1;
    json_error_t je;
    json_t *ev = json_loadb(line + i, n - i, 0, &je);
    if (ev == NULL) {
        char quote[41];
        size_t q = n - i < sizeof quote - 1 ? n - i : sizeof quote - 1;
        memcpy(quote, line + i, q);
        quote[q] = '\0';
        for (size_t k = 0; k < q; k++)
            if ((unsigned char)quote[k] < 0x20)
                quote[k] = '?';
        return pxerr_set(err, PXE_PARSE, "watch event %zu: malformed JSON at column %d: %s "
                         "(line starts '%s')", no, je.column, je.text, quote);
    }
    int rc = 0;
    json_t *type = json_object_get(ev, "type");
    json_t *obj = json_object_get(ev, "object");
    if (!json_is_object(ev))
        rc = pxerr_set(err, PXE_PARSE, "watch event %zu: not a JSON object", no);
    else if (!json_is_string(type))
        rc = pxerr_set(err, PXE_PARSE, "watch event %zu: no \"type\" string", no);
    else if (!json_is_object(obj))
        rc = pxerr_set(err, PXE_PARSE, "watch event %zu (%s): no \"object\" object", no,
                       json_string_value(type));
    if (rc == 0) {
        d->n_events++;
        rc = fn(json_string_value(type), obj, arg);
    }
    json_decref(ev);
    return rc;
}

int
kube_watch_dec_feed(struct kube_watch_dec *d, const char *data, size_t len,
                    kube_watch_event_fn *fn, void *arg, struct pxerr *err)
{
    int rc;
    if (d->buf.len > 0) {
        /* Finish the buffered line first: look for its newline in the new data only. */
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        if (d->buf.len + take > d->max_line)
            return pxerr_set(err, PXE_PARSE, "watch event %zu: larger than %zu bytes without "
                             "a newline", d->n_events + 1, d->max_line);
        strbuf_appendn(&d->buf, data, take);
        if (nl == NULL)
            return 0;
        rc = one_line(d, d->buf.s, d->buf.len, fn, arg, err);
        if (d->buf.len > (1u << 20)) { /* do not keep a huge buffer for small events */
            strbuf_fini(&d->buf);
            strbuf_init(&d->buf);
        } else {
            strbuf_reset(&d->buf);
        }
        if (rc < 0)
            return rc;
        data += take + 1;
        len -= take + 1;
    }
    /* Whole lines straight from the chunk, without copying. */
    const char *nl;
    while (len > 0 && (nl = memchr(data, '\n', len)) != NULL) {
        size_t n = (size_t)(nl - data);
        if (n > d->max_line)
            return pxerr_set(err, PXE_PARSE, "watch event %zu: larger than %zu bytes without "
                             "a newline", d->n_events + 1, d->max_line);
        if ((rc = one_line(d, data, n, fn, arg, err)) < 0)
            return rc;
        data += n + 1;
        len -= n + 1;
    }
    if (len > 0) {
        if (len > d->max_line)
            return pxerr_set(err, PXE_PARSE, "watch event %zu: larger than %zu bytes without "
                             "a newline", d->n_events + 1, d->max_line);
        strbuf_appendn(&d->buf, data, len);
    }
    return 0;
}

/* ---------------------------------------------------------- LIST splitting */

/* A LIST page is one JSON object whose "items" array may hold 500 pods of 7 KB each. Parsing
 * it whole builds a tree of every object at once (tens of MB of small allocations for a
 * 3 MB page); instead the page is scanned for the byte ranges of its items and of its
 * "metadata", and each item is then parsed on its own and freed before the next. The scan
 * checks only the structure (strings, escapes, nesting); jansson validates each piece. */

static size_t
skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* End (exclusive) of the string starting at s[i] == '"', or 0 if unterminated. */
static size_t
skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* End (exclusive) of the value starting at s[i], or 0 when malformed. */
static size_t
skip_value(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                size_t e = skip_string(s, i, n);
                if (e == 0)
                    return 0;
                i = e - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return 0;
    }
    size_t st = i;
    while (i < n && !strchr(",}] \t\r\n", s[i]))
        i++;
    return i > st ? i : 0;
}

int
kube__list_split(const char *s, size_t n, kube_list_item_fn *fn, void *arg, const char **meta,
                 size_t *meta_len, struct pxerr *err)
{
    *meta = NULL;
    *meta_len = 0;
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return pxerr_set(err, PXE_PARSE, "LIST response is not a JSON object");
    i = skip_ws(s, i + 1, n);
    bool have_items = false;
    while (i < n && s[i] != '}') {
        if (s[i] != '"')
            return pxerr_set(err, PXE_PARSE, "LIST response: key expected at byte %zu", i);
        size_t ke = skip_string(s, i, n);
        if (ke == 0)
            return pxerr_set(err, PXE_PARSE, "LIST response: unterminated key at byte %zu", i);
        const char *key = s + i + 1;
        size_t klen = ke - i - 2;
        i = skip_ws(s, ke, n);
        if (i >= n || s[i] != ':')
            return pxerr_set(err, PXE_PARSE, "LIST response: ':' expected at byte %zu", i);
        i = skip_ws(s, i + 1, n);
        size_t ve = skip_value(s, i, n);
        if (ve == 0)
            return pxerr_set(err, PXE_PARSE, "LIST response: malformed value at byte %zu", i);
        if (klen == 8 && memcmp(key, "metadata", 8) == 0) {
            *meta = s + i;
            *meta_len = ve - i;
        } else if (klen == 5 && memcmp(key, "items", 5) == 0 && s[i] == '[') {
            have_items = true;
            size_t j = skip_ws(s, i + 1, n);
            while (j < ve - 1) {
                size_t ie = skip_value(s, j, n);
                if (ie == 0 || ie > ve - 1)
                    return pxerr_set(err, PXE_PARSE, "LIST response: malformed item at byte %zu",
                                     j);
                int rc = fn(s + j, ie - j, arg);
                if (rc < 0)
                    return rc;
                j = skip_ws(s, ie, n);
                if (j < ve - 1 && s[j] == ',')
                    j = skip_ws(s, j + 1, n);
                else if (j < ve - 1)
                    return pxerr_set(err, PXE_PARSE, "LIST response: ',' expected at byte %zu",
                                     j);
            }
        } else if (klen == 5 && memcmp(key, "items", 5) == 0 && strncmp(s + i, "null", 4) == 0) {
            have_items = true; /* an empty list may say null */
        }
        i = skip_ws(s, ve, n);
        if (i < n && s[i] == ',')
            i = skip_ws(s, i + 1, n);
        else if (i < n && s[i] != '}')
            return pxerr_set(err, PXE_PARSE, "LIST response: ',' or '}' expected at byte %zu", i);
    }
    if (i >= n)
        return pxerr_set(err, PXE_PARSE, "LIST response: truncated (no closing '}')");
    if (!have_items)
        return pxerr_set(err, PXE_PARSE, "LIST response is not a list (no \"items\" array)");
    return 0;
}
