/* fuzz_watch: the watch stream decoder, fed the input in two chunks split at a point the
 * first byte chooses, so events split across reads are covered too. */
#include "fuzz_common.h"
#include "kube/kube_internal.h"

static int
on_event(const char *type, json_t *obj, void *arg)
{
    (void)type;
    (void)obj;
    (*(int *)arg)++;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = data[0] % size;
    struct kube_watch_dec d;
    kube_watch_dec_init(&d, 4096);
    struct pxerr err;
    int n = 0;
    if (kube_watch_dec_feed(&d, (const char *)data + 1, cut > 0 ? cut - 1 : 0, on_event, &n,
                            &err) == 0)
        (void)!kube_watch_dec_feed(&d, (const char *)data + (cut > 0 ? cut : 1),
                                   size - (cut > 0 ? cut : 1), on_event, &n, &err);
    kube_watch_dec_fini(&d);
    return 0;
}
