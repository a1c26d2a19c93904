/* cmd_keys: `pxcmesh keys [--markdown]`, a maintenance command that prints the key table.
 * docs/keys.md is its --markdown output, and a test keeps the two equal. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "keymap.h"

static int cmd_keys_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_keys_entry = {
    .name = "keys",
    .usage = "keys [--markdown]",
    .summary = "print the key table (docs/keys.md is made from it)",
    .flags = CMD_HIDDEN,
    .exec = cmd_keys_exec,
};

static int
cmd_keys_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    bool markdown = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0) {
            markdown = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            puts("usage: pxcmesh keys [--markdown]\n"
                 "Print every key of the console by scope; --markdown prints docs/keys.md.");
            return 0;
        } else {
            return cmd_usage_error("keys", "keys: unknown argument '%s'", argv[i]);
        }
    }
    struct strbuf sb;
    strbuf_init(&sb);
    if (markdown) {
        keymap_markdown(&sb);
    } else {
        for (size_t i = 0; i < keymap_count(); i++) {
            const struct keymap_row *r = keymap_at(i);
            if (!keymap_visible(r, opts->readonly))
                continue;
            char k[32];
            keymap_key_name(r->key, k, sizeof k);
            strbuf_appendf(&sb, "%-9s %-10s %-16s %s\n", keymap_scope_name(r->scope), k,
                           keymap_action_name(r->action), r->description);
        }
    }
    fputs(sb.s, stdout);
    strbuf_fini(&sb);
    return ferror(stdout) ? 1 : 0;
}
