/* fuzz_list: the LIST response decoder (kube_list.c), differential: the input fed whole and
 * fed in three chunks (cut where its first two bytes say) must give the same items, the same
 * metadata and the same verdict. A difference aborts, so libFuzzer reports it as a crash. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kube/kube_internal.h"

struct log {
    struct strbuf s;
};

static int
on_item(const char *item, size_t len, void *arg)
{
    struct log *l = arg;
    strbuf_appendf(&l->s, "%zu:", len);
    strbuf_appendn(&l->s, item, len);
    return 0;
}

/* Feed body in pieces ending at cuts[] (ascending); the items go to l, the metadata too. */
static int
run(const char *body, size_t n, const size_t *cuts, int n_cuts, struct log *l)
{
    struct kube_list_dec d;
    kube_list_dec_init(&d, 4096);
    struct pxerr err;
    size_t at = 0;
    int rc = 0;
    for (int k = 0; k <= n_cuts && rc == 0; k++) {
        size_t end = k < n_cuts ? cuts[k] : n;
        rc = kube_list_dec_feed(&d, body + at, end - at, on_item, l, &err);
        at = end;
    }
    const char *meta;
    size_t ml;
    if (rc == 0 && (rc = kube_list_dec_finish(&d, &meta, &ml, &err)) == 0 && meta)
        strbuf_appendn(&l->s, meta, ml);
    kube_list_dec_fini(&d);
    return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *body = (const char *)data + 2;
    size_t n = size - 2;
    size_t a = n ? data[0] % (n + 1) : 0, b = n ? data[1] % (n + 1) : 0;
    size_t cuts[2] = {a < b ? a : b, a < b ? b : a};
    struct log whole, pieces;
    strbuf_init(&whole.s);
    strbuf_init(&pieces.s);
    int rc1 = run(body, n, NULL, 0, &whole);
    int rc2 = run(body, n, cuts, 2, &pieces);
    /* An oversized value may be refused in pieces (the buffer cap) and not whole. */
    if (rc1 == 0 && rc2 == 0 &&
        (whole.s.len != pieces.s.len || memcmp(whole.s.s, pieces.s.s, whole.s.len) != 0))
        abort();
    if ((rc1 == 0) != (rc2 == 0) && n < 4096)
        abort();
    strbuf_fini(&whole.s);
    strbuf_fini(&pieces.s);
    return 0;
}
