/* kube_watch: the incremental decoder of a Kubernetes watch stream. The API server writes one
 * JSON event per line; HTTP chunking and TCP cut those lines anywhere, so bytes are kept
 * until a newline completes an event. Complete lines found in a fresh chunk are parsed in
 * place (no copy); only an unfinished tail is buffered. Each event is parsed once and handed
 * over borrowed, then freed: nothing of the JSON stays. A line that is not an event, or one
 * longer than the cap, is an error that the informer answers by restarting the watch.
 *
 * It deliberately does not interpret events (that is the informer's job in kube.c). */
#include "kube/kube_internal.h"

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
