/* fuzz_config: the pxcmesh config loader on arbitrary bytes. */
#include "config/config.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    struct config *c = NULL;
    struct pxerr err;
    if (config_load(path, &c, &err) == 0)
        config_free(c);
    close(fd);
    return 0;
}
