/* intern: the map's own key copy is the interned string, so each value costs one
 * allocation. Strings live until the pool dies; the pool never shrinks, by design: the
 * set of namespaces and images is small and stable. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
intern_init(struct intern *in)
{
    hmap_init(&in->map);
}

void
intern_fini(struct intern *in)
{
    hmap_fini(&in->map);
}

const char *
intern_str(struct intern *in, const char *s)
{
    if (s == NULL)
        return NULL;
    void *v = hmap_get(&in->map, s);
    if (v != NULL)
        return v;
    hmap_put(&in->map, s, (void *)1);
    const char *k = hmap_stored_key(&in->map, s);
    hmap_put(&in->map, s, (void *)k);
    return k;
}

const char *
intern_strn(struct intern *in, const char *s, size_t n)
{
    char buf[256];
    if (s == NULL)
        return NULL;
    if (n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return intern_str(in, buf);
    }
    char *tmp = xstrndup(s, n);
    const char *r = intern_str(in, tmp);
    free(tmp);
    return r;
}
