/* intern: a pool of unique strings. Namespaces, label values, images and phases repeat
 * across thousands of pods; each distinct string is stored once and compared by pointer.
 * Returned strings are borrowed: valid until intern_fini(). Loop thread only. */
#ifndef PXC_BASE_INTERN_H
#define PXC_BASE_INTERN_H

#include "hmap.h"

struct intern {
    struct hmap map; /* private: key -> the stored copy */
};

void intern_init(struct intern *in);
void intern_fini(struct intern *in);
/* NULL gives NULL. */
const char *intern_str(struct intern *in, const char *s);
const char *intern_strn(struct intern *in, const char *s, size_t n);

#endif
