/* fuzz_kubeconfig: kcfg_load and kcfg_resolve on arbitrary bytes. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "kube/kcfg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    struct kcfg *k = NULL;
    struct pxerr err;
    if (kcfg_load(path, &k, &err) == 0) {
        struct kcfg_target *t = NULL;
        if (kcfg_resolve(k, NULL, &t, &err) == 0)
            kcfg_target_free(t);
        kcfg_free(k);
    }
    close(fd);
    return 0;
}
