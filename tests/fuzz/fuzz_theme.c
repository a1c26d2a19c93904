/* fuzz_theme: the theme file parser on arbitrary bytes. */
#include "fuzz_common.h"
#include "theme.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct theme *t = NULL;
    struct pxerr err;
    if (theme_parse_buf("fuzz.theme", (const char *)data, size, &t, &err) == 0)
        theme_free(t);
    return 0;
}
