/* fuzz_replstat: replica status rows (mariadb --batch text) through every dialect's parser,
 * the GTID arithmetic on what they carry, and the GTID set parsers directly. */
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "xmalloc.h"
#include "fuzz_common.h"
#include "mysql/gtid.h"
#include "mysql/mysqlc.h"
#include "mysql/replstat.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mysqlc_rows *rows = NULL;
    struct pxerr err;
    if (mysqlc_rows_parse_tsv((const char *)data, size, "fuzz", &rows, &err) == 0) {
        struct vec out;
        vec_init(&out, replstat_channel_free_v);
        if (replstat_parse(rows, &out, &err) == 0) {
            replstat_merge_failover(&out, rows);
            for (size_t i = 0; i < out.n; i++)
                (void)replstat_gtid_gap(out.items[i]);
        }
        vec_fini(&out);
        mysqlc_rows_free(rows);
    }
    char *s = xstrndup((const char *)data, size);
    struct gtid_set *g = NULL;
    if (gtid_set_parse(s, &g, &err) == 0)
        gtid_set_free(g);
    struct gtid_mpos mp;
    if (gtid_mpos_parse(s, &mp, &err) == 0)
        gtid_mpos_fini(&mp);
    (void)replstat_parse_ts(s);
    free(s);
    return 0;
}
