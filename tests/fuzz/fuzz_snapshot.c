/* fuzz_snapshot: the snapshot (status JSON) loader, and a write of whatever loaded. */
#include "strbuf.h"
#include "fuzz_common.h"
#include "model/model.h"
#include "model/snap.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model *m = model_new();
    struct pxerr err;
    if (snap_load_buf((const char *)data, size, "fuzz", m, &err) == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        (void)!snap_write(m, &sb, &err);
        strbuf_fini(&sb);
    }
    model_free(m);
    return 0;
}
