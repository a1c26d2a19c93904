/* ksim_spdy: the server side of SPDY/3.1 framing, as much as Kubernetes uses of it: the
 * protocol of kubectl port-forward (raw after "Upgrade: SPDY/3.1", or tunnelled in
 * WebSocket binary messages as "SPDY/3.1+portforward.k8s.io", client-go
 * tools/portforward/tunneling_connection.go). Control frames SYN_STREAM, SYN_REPLY,
 * RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE; data frames with FIN; header
 * blocks compressed with zlib and the SPDY/3 dictionary, one compression context per
 * direction for the whole session (draft-mbelshe-httpbis-spdy-00 section 2.6.10.1). Like
 * moby/spdystream, which both kubectl and the kubelet use, there is no flow control:
 * WINDOW_UPDATE is read and ignored, and none is sent. */
#include "ksim_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xmalloc.h"

enum {
    SYN_STREAM = 1,
    SYN_REPLY = 2,
    RST_STREAM = 3,
    SETTINGS = 4,
    PING = 6,
    GOAWAY = 7,
    HEADERS = 8,
    WINDOW_UPDATE = 9,
    FLAG_FIN = 0x01,
    MAX_HEADERS = 32,
};

/* The SPDY/3 header compression dictionary: these names, each with a 4-byte big-endian
 * length, then the tail as is (1423 bytes, adler32 e3c6a7c2). */
static const char *const dict_names[] = {"options",
                                         "head",
                                         "post",
                                         "put",
                                         "delete",
                                         "trace",
                                         "accept",
                                         "accept-charset",
                                         "accept-encoding",
                                         "accept-language",
                                         "accept-ranges",
                                         "age",
                                         "allow",
                                         "authorization",
                                         "cache-control",
                                         "connection",
                                         "content-base",
                                         "content-encoding",
                                         "content-language",
                                         "content-length",
                                         "content-location",
                                         "content-md5",
                                         "content-range",
                                         "content-type",
                                         "date",
                                         "etag",
                                         "expect",
                                         "expires",
                                         "from",
                                         "host",
                                         "if-match",
                                         "if-modified-since",
                                         "if-none-match",
                                         "if-range",
                                         "if-unmodified-since",
                                         "last-modified",
                                         "location",
                                         "max-forwards",
                                         "pragma",
                                         "proxy-authenticate",
                                         "proxy-authorization",
                                         "range",
                                         "referer",
                                         "retry-after",
                                         "server",
                                         "te",
                                         "trailer",
                                         "transfer-encoding",
                                         "upgrade",
                                         "user-agent",
                                         "vary",
                                         "via",
                                         "warning",
                                         "www-authenticate",
                                         "method",
                                         "get",
                                         "status",
                                         "200 OK",
                                         "version",
                                         "HTTP/1.1",
                                         "url",
                                         "public",
                                         "set-cookie",
                                         "keep-alive",
                                         "origin"};
static const char dict_tail[] =
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504"
    "505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad "
    "Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not "
    "Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec "
    "00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,"
    "image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
    "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

#define DICT_LEN 1423

static size_t
dict_build(uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof dict_names / sizeof dict_names[0]; i++) {
        size_t l = strlen(dict_names[i]);
        out[n++] = (uint8_t)(l >> 24);
        out[n++] = (uint8_t)(l >> 16);
        out[n++] = (uint8_t)(l >> 8);
        out[n++] = (uint8_t)l;
        memcpy(out + n, dict_names[i], l);
        n += l;
    }
    memcpy(out + n, dict_tail, sizeof dict_tail - 1);
    return n + sizeof dict_tail - 1;
}

uint32_t
ksim_spdy_dict_adler(void)
{
    uint8_t d[DICT_LEN + 64];
    size_t n = dict_build(d);
    return (uint32_t)adler32(adler32(0L, Z_NULL, 0), d, (uInt)n);
}

struct ksim_spdy {
    const struct ksim_spdy_events *ev;
    ksim_spdy_out_cb *out;
    void *arg;
    struct strbuf in; /* bytes of an incomplete frame */
    z_stream inf, def;
    uint8_t dict[DICT_LEN + 64];
    size_t dict_len;
    bool goaway_sent;
};

struct ksim_spdy *
ksim_spdy_new(const struct ksim_spdy_events *ev, ksim_spdy_out_cb *out, void *arg)
{
    struct ksim_spdy *s = xcalloc(1, sizeof *s);
    s->ev = ev;
    s->out = out;
    s->arg = arg;
    strbuf_init(&s->in);
    s->dict_len = dict_build(s->dict);
    if (inflateInit(&s->inf) != Z_OK || deflateInit(&s->def, Z_DEFAULT_COMPRESSION) != Z_OK ||
        deflateSetDictionary(&s->def, s->dict, (uInt)s->dict_len) != Z_OK) {
        /* zlib fails here only without memory */
        fprintf(stderr, "kubesim: spdy: zlib initialisation failed\n");
        abort();
    }
    return s;
}

void
ksim_spdy_free(struct ksim_spdy *s)
{
    if (s == NULL)
        return;
    inflateEnd(&s->inf);
    deflateEnd(&s->def);
    strbuf_fini(&s->in);
    free(s);
}

static uint32_t
be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
control(struct ksim_spdy *s, int type, uint8_t flags, const uint8_t *payload, size_t len)
{
    uint8_t *f = xmalloc(8 + len);
    f[0] = 0x80;
    f[1] = 3;
    f[2] = (uint8_t)(type >> 8);
    f[3] = (uint8_t)type;
    f[4] = flags;
    f[5] = (uint8_t)(len >> 16);
    f[6] = (uint8_t)(len >> 8);
    f[7] = (uint8_t)len;
    if (len > 0)
        memcpy(f + 8, payload, len);
    s->out(f, 8 + len, s->arg);
    free(f);
}

/* Inflate one header block (the session's stream) and split its name/value pairs. */
static int
headers_parse(struct ksim_spdy *s, const uint8_t *buf, size_t len, struct ksim_spdy_hdr *h,
              size_t *n, struct pxerr *err)
{
    uint8_t plain[16384];
    size_t got = 0;
    s->inf.next_in = (Bytef *)buf;
    s->inf.avail_in = (uInt)len;
    while (s->inf.avail_in > 0) {
        s->inf.next_out = plain + got;
        s->inf.avail_out = (uInt)(sizeof plain - got);
        int rc = inflate(&s->inf, Z_SYNC_FLUSH);
        if (rc == Z_NEED_DICT) {
            if (inflateSetDictionary(&s->inf, s->dict, (uInt)s->dict_len) != Z_OK)
                return pxerr_set(err, PXE_PARSE,
                                 "spdy: header block wants another dictionary (adler32 %08lx)",
                                 (unsigned long)s->inf.adler);
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return pxerr_set(err, PXE_PARSE, "spdy: header block does not inflate: %s",
                             s->inf.msg ? s->inf.msg : "zlib error");
        got = sizeof plain - s->inf.avail_out;
        if (s->inf.avail_out == 0)
            return pxerr_set(err, PXE_PARSE, "spdy: header block larger than %zu bytes",
                             sizeof plain);
        if (rc == Z_BUF_ERROR)
            break;
    }
    *n = 0;
    if (got < 4)
        return pxerr_set(err, PXE_PARSE, "spdy: header block of %zu bytes", got);
    uint32_t pairs = be32(plain);
    size_t at = 4;
    for (uint32_t i = 0; i < pairs; i++) {
        uint32_t nl, vl;
        if (at + 4 > got || (nl = be32(plain + at)) > got - at - 4)
            return pxerr_set(err, PXE_PARSE, "spdy: header name %u cut off", i);
        const uint8_t *name = plain + at + 4;
        at += 4 + nl;
        if (at + 4 > got || (vl = be32(plain + at)) > got - at - 4)
            return pxerr_set(err, PXE_PARSE, "spdy: header value %u cut off", i);
        const uint8_t *val = plain + at + 4;
        at += 4 + vl;
        if (*n < MAX_HEADERS) {
            snprintf(h[*n].name, sizeof h[*n].name, "%.*s", (int)nl, (const char *)name);
            for (char *p = h[*n].name; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            /* several values of one name are NUL-separated: the first is enough here */
            snprintf(h[*n].value, sizeof h[*n].value, "%.*s", (int)strnlen((const char *)val, vl),
                     (const char *)val);
            (*n)++;
        }
    }
    return 0;
}

static int
frame(struct ksim_spdy *s, const uint8_t *f, size_t len, struct pxerr *err)
{
    uint8_t flags = f[4];
    const uint8_t *p = f + 8;
    size_t plen = len - 8;
    if (!(f[0] & 0x80)) {
        uint32_t id = be32(f) & 0x7fffffff;
        s->ev->data(id, p, plen, flags & FLAG_FIN, s->arg);
        return 0;
    }
    int version = (f[0] & 0x7f) << 8 | f[1];
    int type = f[2] << 8 | f[3];
    if (version != 3)
        return pxerr_set(err, PXE_PARSE, "spdy: version %d frame (only 3 is spoken)", version);
    struct ksim_spdy_hdr h[MAX_HEADERS];
    size_t nh = 0;
    switch (type) {
    case SYN_STREAM:
        if (plen < 10)
            return pxerr_set(err, PXE_PARSE, "spdy: SYN_STREAM of %zu bytes", plen);
        if (headers_parse(s, p + 10, plen - 10, h, &nh, err) != 0)
            return -1;
        s->ev->syn_stream(be32(p) & 0x7fffffff, h, nh, s->arg);
        if (flags & FLAG_FIN)
            s->ev->data(be32(p) & 0x7fffffff, NULL, 0, true, s->arg);
        return 0;
    case HEADERS:
        if (plen < 4)
            return pxerr_set(err, PXE_PARSE, "spdy: HEADERS of %zu bytes", plen);
        /* keep the inflate stream in step; port-forward streams carry nothing here */
        return headers_parse(s, p + 4, plen - 4, h, &nh, err);
    case RST_STREAM:
        if (plen >= 4)
            s->ev->rst(be32(p) & 0x7fffffff, s->arg);
        return 0;
    case PING:
        if (plen >= 4)
            control(s, PING, 0, p, 4);
        return 0;
    case GOAWAY:
        s->ev->goaway(s->arg);
        return 0;
    case SYN_REPLY:
        if (plen >= 4)
            return headers_parse(s, p + 4, plen - 4, h, &nh, err);
        return 0;
    default: /* SETTINGS, WINDOW_UPDATE and the rest: nothing to do */
        return 0;
    }
}

int
ksim_spdy_feed(struct ksim_spdy *s, const uint8_t *buf, size_t len, struct pxerr *err)
{
    if (len == 0)
        return 0; /* an empty tunnel message carries no frame */
    strbuf_appendn(&s->in, (const char *)buf, len);
    size_t at = 0;
    int rc = 0;
    while (s->in.len - at >= 8) {
        const uint8_t *f = (const uint8_t *)s->in.s + at;
        size_t flen = 8 + ((size_t)f[5] << 16 | (size_t)f[6] << 8 | f[7]);
        if (s->in.len - at < flen)
            break;
        if (frame(s, f, flen, err) != 0) {
            rc = -1;
            break;
        }
        at += flen;
    }
    strbuf_consume(&s->in, at);
    return rc;
}

/* An empty header block, compressed in the session's outgoing stream. */
static size_t
empty_headers(struct ksim_spdy *s, uint8_t *out, size_t cap)
{
    uint8_t plain[4] = {0, 0, 0, 0};
    s->def.next_in = plain;
    s->def.avail_in = sizeof plain;
    s->def.next_out = out;
    s->def.avail_out = (uInt)cap;
    (void)deflate(&s->def, Z_SYNC_FLUSH); /* cap is ample for four bytes */
    return cap - s->def.avail_out;
}

void
ksim_spdy_reply(struct ksim_spdy *s, uint32_t id)
{
    uint8_t p[256];
    put32(p, id);
    size_t n = empty_headers(s, p + 4, sizeof p - 4);
    control(s, SYN_REPLY, 0, p, 4 + n);
}

void
ksim_spdy_data(struct ksim_spdy *s, uint32_t id, const void *buf, size_t len, bool fin)
{
    const uint8_t *b = buf;
    do {
        size_t chunk = len > 65536 ? 65536 : len;
        uint8_t *f = xmalloc(8 + chunk);
        put32(f, id & 0x7fffffff);
        f[4] = fin && chunk == len ? FLAG_FIN : 0;
        f[5] = (uint8_t)(chunk >> 16);
        f[6] = (uint8_t)(chunk >> 8);
        f[7] = (uint8_t)chunk;
        if (chunk > 0)
            memcpy(f + 8, b, chunk);
        s->out(f, 8 + chunk, s->arg);
        free(f);
        b += chunk;
        len -= chunk;
    } while (len > 0);
}

void
ksim_spdy_rst(struct ksim_spdy *s, uint32_t id, uint32_t status)
{
    uint8_t p[8];
    put32(p, id & 0x7fffffff);
    put32(p + 4, status);
    control(s, RST_STREAM, 0, p, sizeof p);
}

void
ksim_spdy_goaway(struct ksim_spdy *s)
{
    if (s->goaway_sent)
        return;
    s->goaway_sent = true;
    uint8_t p[8] = {0};
    control(s, GOAWAY, 0, p, sizeof p);
}
