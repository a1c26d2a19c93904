/* fuzz_snapshot: the snapshot (status JSON) loader, and the writer on whatever loaded: the
 * streamed pieces stay within the writer's buffer and make the same text as the whole
 * write, and that text loads back and writes again the same (write -> load -> write). */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "fuzz_common.h"
#include "model/model.h"
#include "model/snap.h"

static int
to_pieces(const char *buf, size_t len, void *arg, struct pxerr *err)
{
    if (len == 0 || len > SNAP_WRITE_BUF)
        abort();
    strbuf_appendn(arg, buf, len);
    return 0;
}

static void
check_writer(const struct model *m)
{
    struct pxerr err;
    struct strbuf whole, pieces, again;
    strbuf_init(&whole);
    strbuf_init(&pieces);
    strbuf_init(&again);
    if (snap_write(m, &whole, &err) != 0 || snap_write_to(m, to_pieces, &pieces, &err) != 0 ||
        whole.len != pieces.len || memcmp(whole.s, pieces.s, whole.len) != 0)
        abort();
    struct model *m2 = model_new();
    if (snap_load_buf(whole.s, whole.len, "again", m2, &err) != 0 ||
        snap_write(m2, &again, &err) != 0 || strcmp(whole.s, again.s) != 0)
        abort();
    model_free(m2);
    strbuf_fini(&whole);
    strbuf_fini(&pieces);
    strbuf_fini(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model *m = model_new();
    struct pxerr err;
    if (snap_load_buf((const char *)data, size, "fuzz", m, &err) == 0)
        check_writer(m);
    model_free(m);
    return 0;
}
