/* view: the registry of views, in the order :view completes them (the number keys that
 * select them are each view's ops->key). A view file only defines its ops; this list
 * makes it reachable. */
#include "view.h"

#include <string.h>

const struct view_ops *const view_registry[] = {
    &view_overview_ops,
    &view_channels_ops,
    &view_events_ops,
    &view_findings_ops,
    &view_sentries_ops,
    &view_injection_ops,
    &view_probes_ops,
    &view_setup_ops,
    &view_chdetail_ops,
    &view_describe_ops,
    &view_logs_ops,
    NULL,
};

const struct view_ops *
view_find(const char *name)
{
    const struct view_ops *hit = NULL;
    size_t n = strlen(name);
    int hits = 0;
    if (n == 0)
        return NULL;
    for (size_t i = 0; view_registry[i] != NULL; i++) {
        if (strcmp(view_registry[i]->name, name) == 0)
            return view_registry[i];
        if (strncmp(view_registry[i]->name, name, n) == 0) {
            hit = view_registry[i];
            hits++;
        }
    }
    return hits == 1 ? hit : NULL;
}
