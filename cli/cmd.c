/* cmd: what the verbs share. The verbs themselves are cli/cmd_<verb>.c; their table is
 * cli.c's. */
#include "cmd.h"

#include "config/config_select.h"

int
cmd_kube_config(const struct cli_opts *opts, struct config **out, struct pxerr *err)
{
    struct config_sel sel;
    cli_config_sel(opts, &sel);
    return config_select(&sel, out, err);
}
