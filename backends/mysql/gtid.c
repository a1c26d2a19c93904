/* gtid: parse, normalise and compare GTID sets (MySQL) and GTID positions (MariaDB), so the
 * console can say how many transactions a replica still has to apply and whether it executed
 * something its source never had. It knows nothing of servers or channels; the replica status
 * parser hands it strings. Sets are small (a few uuids, a few intervals each), so plain
 * sorted arrays are enough. */
#include "mysql/gtid.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"

struct interval {
    int64_t lo, hi; /* inclusive, 1 <= lo <= hi */
};

struct uuid_ivs {
    char *key; /* "uuid" or "uuid:tag", lower case */
    int n, cap;
    struct interval *iv;
};

struct gtid_set {
    int n, cap;
    struct uuid_ivs *u; /* sorted by key */
};

static struct gtid_set *
set_new(void)
{
    return xcalloc(1, sizeof(struct gtid_set));
}

void
gtid_set_free(struct gtid_set *g)
{
    if (g == NULL)
        return;
    for (int i = 0; i < g->n; i++) {
        free(g->u[i].key);
        free(g->u[i].iv);
    }
    free(g->u);
    free(g);
}

static struct uuid_ivs *
set_get(struct gtid_set *g, const char *key)
{
    int i = 0;
    for (; i < g->n; i++) {
        int c = strcmp(g->u[i].key, key);
        if (c == 0)
            return &g->u[i];
        if (c > 0)
            break;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4;
        g->u = xreallocarray(g->u, (size_t)g->cap, sizeof *g->u);
    }
    memmove(&g->u[i + 1], &g->u[i], (size_t)(g->n - i) * sizeof *g->u);
    g->n++;
    memset(&g->u[i], 0, sizeof g->u[i]);
    g->u[i].key = xstrdup(key);
    return &g->u[i];
}

/* Insert [lo,hi] keeping intervals sorted and merged (adjacent ones too). */
static void
ivs_add(struct uuid_ivs *u, int64_t lo, int64_t hi)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 4;
        u->iv = xreallocarray(u->iv, (size_t)u->cap, sizeof *u->iv);
    }
    int i = 0;
    while (i < u->n && u->iv[i].lo < lo)
        i++;
    memmove(&u->iv[i + 1], &u->iv[i], (size_t)(u->n - i) * sizeof *u->iv);
    u->iv[i] = (struct interval){lo, hi};
    u->n++;
    int w = 0;
    for (int r = 1; r < u->n; r++) {
        if (u->iv[r].lo <= u->iv[w].hi + 1) {
            if (u->iv[r].hi > u->iv[w].hi)
                u->iv[w].hi = u->iv[r].hi;
        } else {
            u->iv[++w] = u->iv[r];
        }
    }
    u->n = w + 1;
}

static void
set_compact(struct gtid_set *g)
{
    int w = 0;
    for (int i = 0; i < g->n; i++) {
        if (g->u[i].n == 0) {
            free(g->u[i].key);
            free(g->u[i].iv);
            continue;
        }
        g->u[w++] = g->u[i];
    }
    g->n = w;
}

static bool
is_uuid(const char *s, size_t n)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    size_t p = 0;
    for (int gi = 0; gi < 5; gi++) {
        for (int k = 0; k < groups[gi]; k++, p++)
            if (p >= n || !isxdigit((unsigned char)s[p]))
                return false;
        if (gi < 4) {
            if (p >= n || s[p] != '-')
                return false;
            p++;
        }
    }
    return p == n;
}

static bool
parse_i64(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 19)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int
parse_element(struct gtid_set *g, const char *el, size_t len, int idx, struct pxerr *err)
{
    /* uuid[:tag](:interval)+ ; interval = N | N-M */
    const char *colon = memchr(el, ':', len);
    if (colon == NULL)
        return pxerr_set(err, PXE_PARSE, "GTID set: element %d '%.*s': no ':' after the uuid", idx,
                         (int)len, el);
    size_t ulen = (size_t)(colon - el);
    if (!is_uuid(el, ulen))
        return pxerr_set(err, PXE_PARSE,
                         "GTID set: element %d '%.*s': bad uuid (want 8-4-4-4-12 hex digits)", idx,
                         (int)len, el);
    char key[128];
    size_t kl = 0;
    for (size_t i = 0; i < ulen; i++)
        key[kl++] = (char)tolower((unsigned char)el[i]);
    key[kl] = '\0';
    const char *p = colon + 1, *end = el + len;
    /* An optional tag: letters, digits, '_' and not starting with a digit (MySQL 8.3+). */
    if (p < end && (isalpha((unsigned char)*p) || *p == '_')) {
        const char *t = p;
        while (t < end && (isalnum((unsigned char)*t) || *t == '_'))
            t++;
        if ((size_t)(t - p) > 32 || (t < end && *t != ':'))
            return pxerr_set(err, PXE_PARSE, "GTID set: element %d '%.*s': bad tag", idx, (int)len,
                             el);
        key[kl++] = ':';
        for (const char *q = p; q < t; q++)
            key[kl++] = (char)tolower((unsigned char)*q);
        key[kl] = '\0';
        p = t < end ? t + 1 : t;
    }
    struct interval tmp[64];
    int ntmp = 0;
    bool any = false;
    while (p < end) {
        const char *q = memchr(p, ':', (size_t)(end - p));
        if (q == NULL)
            q = end;
        const char *dash = memchr(p, '-', (size_t)(q - p));
        int64_t lo, hi;
        bool ok = dash ? parse_i64(p, (size_t)(dash - p), &lo) &&
                             parse_i64(dash + 1, (size_t)(q - dash - 1), &hi)
                       : parse_i64(p, (size_t)(q - p), &lo);
        if (!dash)
            hi = lo;
        if (!ok || lo < 1)
            return pxerr_set(err, PXE_PARSE,
                             "GTID set: element %d '%.*s': bad interval '%.*s' (want N or N-M, "
                             "N >= 1)",
                             idx, (int)len, el, (int)(q - p), p);
        if (hi < lo)
            return pxerr_set(err, PXE_PARSE,
                             "GTID set: element %d '%.*s': interval %" PRId64 "-%" PRId64
                             " runs backwards",
                             idx, (int)len, el, lo, hi);
        if (ntmp == 64)
            return pxerr_set(err, PXE_PARSE, "GTID set: element %d: more than 64 intervals", idx);
        tmp[ntmp++] = (struct interval){lo, hi};
        any = true;
        p = q < end ? q + 1 : q;
        if (q < end && p == end)
            any = false; /* trailing ':' */
    }
    if (!any)
        return pxerr_set(err, PXE_PARSE, "GTID set: element %d '%.*s': no interval", idx, (int)len,
                         el);
    struct uuid_ivs *u = set_get(g, key);
    for (int i = 0; i < ntmp; i++)
        ivs_add(u, tmp[i].lo, tmp[i].hi);
    return 0;
}

int
gtid_set_parse(const char *s, struct gtid_set **out, struct pxerr *err)
{
    struct gtid_set *g = set_new();
    if (s != NULL) {
        const char *p = s;
        int idx = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            if (*p == '\0')
                break;
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n > 0 && isspace((unsigned char)p[n - 1]))
                n--;
            idx++;
            if (n == 0) {
                gtid_set_free(g);
                return pxerr_set(err, PXE_PARSE, "GTID set: element %d is empty", idx);
            }
            int rc = parse_element(g, p, n, idx, err);
            if (rc < 0) {
                gtid_set_free(g);
                return rc;
            }
            if (e == NULL)
                break;
            p = e + 1;
        }
    }
    *out = g;
    return 0;
}

static struct gtid_set *
set_copy(const struct gtid_set *a)
{
    struct gtid_set *g = set_new();
    for (int i = 0; i < a->n; i++) {
        struct uuid_ivs *u = set_get(g, a->u[i].key);
        for (int k = 0; k < a->u[i].n; k++)
            ivs_add(u, a->u[i].iv[k].lo, a->u[i].iv[k].hi);
    }
    return g;
}

static const struct uuid_ivs *
set_find(const struct gtid_set *g, const char *key)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->u[i].key, key) == 0)
            return &g->u[i];
    return NULL;
}

struct gtid_set *
gtid_set_union(const struct gtid_set *a, const struct gtid_set *b)
{
    struct gtid_set *g = set_copy(a);
    for (int i = 0; i < b->n; i++) {
        struct uuid_ivs *u = set_get(g, b->u[i].key);
        for (int k = 0; k < b->u[i].n; k++)
            ivs_add(u, b->u[i].iv[k].lo, b->u[i].iv[k].hi);
    }
    return g;
}

struct gtid_set *
gtid_set_subtract(const struct gtid_set *a, const struct gtid_set *b)
{
    struct gtid_set *g = set_new();
    for (int i = 0; i < a->n; i++) {
        const struct uuid_ivs *ua = &a->u[i];
        const struct uuid_ivs *ub = set_find(b, ua->key);
        struct uuid_ivs *u = set_get(g, ua->key);
        for (int k = 0; k < ua->n; k++) {
            int64_t lo = ua->iv[k].lo, hi = ua->iv[k].hi;
            for (int j = 0; ub != NULL && j < ub->n && lo <= hi; j++) {
                const struct interval *r = &ub->iv[j];
                if (r->hi < lo || r->lo > hi)
                    continue;
                if (r->lo > lo)
                    ivs_add(u, lo, r->lo - 1);
                lo = r->hi + 1;
            }
            if (lo <= hi)
                ivs_add(u, lo, hi);
        }
    }
    set_compact(g);
    return g;
}

bool
gtid_set_is_empty(const struct gtid_set *g)
{
    for (int i = 0; i < g->n; i++)
        if (g->u[i].n > 0)
            return false;
    return true;
}

bool
gtid_set_contains(const struct gtid_set *a, const struct gtid_set *b)
{
    struct gtid_set *d = gtid_set_subtract(b, a);
    bool r = gtid_set_is_empty(d);
    gtid_set_free(d);
    return r;
}

int64_t
gtid_set_count(const struct gtid_set *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->n; i++)
        for (int k = 0; k < g->u[i].n; k++)
            n += g->u[i].iv[k].hi - g->u[i].iv[k].lo + 1;
    return n;
}

char *
gtid_set_format(const struct gtid_set *g)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; i < g->n; i++) {
        if (g->u[i].n == 0)
            continue;
        if (sb.len > 0)
            strbuf_appendc(&sb, ',');
        strbuf_append(&sb, g->u[i].key);
        for (int k = 0; k < g->u[i].n; k++) {
            const struct interval *r = &g->u[i].iv[k];
            if (r->lo == r->hi)
                strbuf_appendf(&sb, ":%" PRId64, r->lo);
            else
                strbuf_appendf(&sb, ":%" PRId64 "-%" PRId64, r->lo, r->hi);
        }
    }
    return strbuf_detach(&sb);
}

int
gtid_set_gap(const char *retrieved, const char *executed, int64_t *gap, struct pxerr *err)
{
    struct gtid_set *r = NULL, *e = NULL;
    int rc = gtid_set_parse(retrieved, &r, err);
    if (rc < 0) {
        pxerr_prefix(err, "retrieved ");
        return rc;
    }
    rc = gtid_set_parse(executed, &e, err);
    if (rc < 0) {
        pxerr_prefix(err, "executed ");
        gtid_set_free(r);
        return rc;
    }
    struct gtid_set *d = gtid_set_subtract(r, e);
    *gap = gtid_set_count(d);
    gtid_set_free(d);
    gtid_set_free(r);
    gtid_set_free(e);
    return 0;
}

int
gtid_set_errant(const char *replica_executed, const char *source_executed, char **errant,
                int64_t *count, struct pxerr *err)
{
    struct gtid_set *r = NULL, *s = NULL;
    int rc = gtid_set_parse(replica_executed, &r, err);
    if (rc < 0) {
        pxerr_prefix(err, "replica executed ");
        return rc;
    }
    rc = gtid_set_parse(source_executed, &s, err);
    if (rc < 0) {
        pxerr_prefix(err, "source executed ");
        gtid_set_free(r);
        return rc;
    }
    struct gtid_set *d = gtid_set_subtract(r, s);
    *errant = gtid_set_format(d);
    *count = gtid_set_count(d);
    gtid_set_free(d);
    gtid_set_free(r);
    gtid_set_free(s);
    return 0;
}

/* ---------------------------------------------------------------- MariaDB */

void
gtid_mpos_fini(struct gtid_mpos *p)
{
    free(p->e);
    p->e = NULL;
    p->n = 0;
}

static bool
parse_u64(const char *s, size_t n, uint64_t *out, uint64_t max)
{
    if (n == 0 || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

int
gtid_mpos_parse(const char *s, struct gtid_mpos *out, struct pxerr *err)
{
    struct gtid_mpos p = {0, NULL};
    const char *q = s ? s : "";
    int idx = 0;
    for (;;) {
        while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
            q++;
        if (*q == '\0')
            break;
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        while (n > 0 && isspace((unsigned char)q[n - 1]))
            n--;
        idx++;
        const char *d1 = memchr(q, '-', n);
        const char *d2 = d1 ? memchr(d1 + 1, '-', n - (size_t)(d1 + 1 - q)) : NULL;
        uint64_t dom, srv, seq;
        if (d1 == NULL || d2 == NULL || !parse_u64(q, (size_t)(d1 - q), &dom, UINT32_MAX) ||
            !parse_u64(d1 + 1, (size_t)(d2 - d1 - 1), &srv, UINT32_MAX) ||
            !parse_u64(d2 + 1, n - (size_t)(d2 + 1 - q), &seq, UINT64_MAX)) {
            free(p.e);
            return pxerr_set(err, PXE_PARSE,
                             "GTID position: element %d '%.*s': want "
                             "domain-server-seq",
                             idx, (int)n, q);
        }
        for (int i = 0; i < p.n; i++) {
            if (p.e[i].domain == dom) {
                pxerr_set(err, PXE_PARSE,
                          "GTID position: domain %" PRIu64 " appears twice ('%" PRIu32 "-%" PRIu32
                          "-%" PRIu64 "', '%.*s')",
                          dom, p.e[i].domain, p.e[i].server, p.e[i].seq, (int)n, q);
                free(p.e);
                return PXE_PARSE;
            }
        }
        p.e = xreallocarray(p.e, (size_t)p.n + 1, sizeof *p.e);
        int i = p.n;
        while (i > 0 && p.e[i - 1].domain > dom) {
            p.e[i] = p.e[i - 1];
            i--;
        }
        p.e[i] = (struct gtid_mentry){(uint32_t)dom, (uint32_t)srv, seq};
        p.n++;
        if (e == NULL)
            break;
        q = e + 1;
    }
    *out = p;
    return 0;
}

const struct gtid_mentry *
gtid_mpos_find(const struct gtid_mpos *p, uint32_t domain)
{
    for (int i = 0; i < p->n; i++)
        if (p->e[i].domain == domain)
            return &p->e[i];
    return NULL;
}

static void
cmp_domain(uint64_t a, uint64_t b, bool *ahead, bool *behind)
{
    if (a > b)
        *ahead = true;
    else if (a < b)
        *behind = true;
}

enum gtid_order
gtid_mpos_compare(const struct gtid_mpos *a, const struct gtid_mpos *b)
{
    bool ahead = false, behind = false;
    for (int i = 0; i < a->n; i++) {
        const struct gtid_mentry *o = gtid_mpos_find(b, a->e[i].domain);
        cmp_domain(a->e[i].seq, o ? o->seq : 0, &ahead, &behind);
    }
    for (int i = 0; i < b->n; i++)
        if (gtid_mpos_find(a, b->e[i].domain) == NULL)
            cmp_domain(0, b->e[i].seq, &ahead, &behind);
    if (ahead && behind)
        return GTID_DIVERGED;
    if (ahead)
        return GTID_AHEAD;
    if (behind)
        return GTID_BEHIND;
    return GTID_EQUAL;
}

const char *
gtid_order_name(enum gtid_order o)
{
    switch (o) {
    case GTID_EQUAL:
        return "equal";
    case GTID_BEHIND:
        return "behind";
    case GTID_AHEAD:
        return "ahead";
    case GTID_DIVERGED:
        return "diverged";
    }
    return "?";
}

int
gtid_mpos_gap(const char *io_pos, const char *applied_pos, int64_t *gap, struct pxerr *err)
{
    struct gtid_mpos io, ap;
    int rc = gtid_mpos_parse(io_pos, &io, err);
    if (rc < 0) {
        pxerr_prefix(err, "IO ");
        return rc;
    }
    rc = gtid_mpos_parse(applied_pos, &ap, err);
    if (rc < 0) {
        pxerr_prefix(err, "applied ");
        gtid_mpos_fini(&io);
        return rc;
    }
    int64_t g = 0;
    for (int i = 0; i < io.n; i++) {
        const struct gtid_mentry *o = gtid_mpos_find(&ap, io.e[i].domain);
        uint64_t have = o ? o->seq : 0;
        if (io.e[i].seq > have)
            g += (int64_t)(io.e[i].seq - have);
    }
    *gap = g;
    gtid_mpos_fini(&io);
    gtid_mpos_fini(&ap);
    return 0;
}

int
gtid_mpos_errant(const char *replica_pos, const char *source_pos, char **errant, struct pxerr *err)
{
    struct gtid_mpos r, s;
    int rc = gtid_mpos_parse(replica_pos, &r, err);
    if (rc < 0) {
        pxerr_prefix(err, "replica ");
        return rc;
    }
    rc = gtid_mpos_parse(source_pos, &s, err);
    if (rc < 0) {
        pxerr_prefix(err, "source ");
        gtid_mpos_fini(&r);
        return rc;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; i < r.n; i++) {
        const struct gtid_mentry *o = gtid_mpos_find(&s, r.e[i].domain);
        if (o == NULL || r.e[i].seq > o->seq)
            strbuf_appendf(&sb, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64, sb.len ? "," : "",
                           r.e[i].domain, r.e[i].server, r.e[i].seq);
    }
    *errant = strbuf_detach(&sb);
    gtid_mpos_fini(&r);
    gtid_mpos_fini(&s);
    return 0;
}
