/* galera: reads a node's wsrep status. It only parses; which node to ask and when is
 * mysql_poll's business, and what the state means for the cluster is the doctor's. */
#include "mysql/galera.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
on(const char *v)
{
    return v != NULL && strcasecmp(v, "ON") == 0;
}

static int64_t
num(const char *v, int64_t dflt)
{
    if (v == NULL || *v == '\0')
        return dflt;
    char *end;
    long long x = strtoll(v, &end, 10);
    return end != v ? (int64_t)x : dflt;
}

int
galera_parse(const struct mysqlc_rows *rows, struct galera_status *out, struct pxerr *err)
{
    int kc = mysqlc_rows_col(rows, "Variable_name");
    int vc = mysqlc_rows_col(rows, "Value");
    if (rows == NULL || kc < 0 || vc < 0)
        return pxerr_set(
            err, PXE_PARSE, "wsrep status: want columns Variable_name and Value (got: %s%s%s)",
            rows && rows->n_cols > 0 ? rows->cols[0] : "nothing",
            rows && rows->n_cols > 1 ? ", " : "", rows && rows->n_cols > 1 ? rows->cols[1] : "");
    struct galera_status g;
    memset(&g, 0, sizeof g);
    g.local_state = g.cluster_size = g.recv_queue = g.send_queue = -1;
    g.fc_paused = -1;
    g.last_committed = -1;
    bool have_status = false;
    for (size_t r = 0; r < rows->n_rows; r++) {
        const char *k = mysqlc_rows_get(rows, r, kc);
        const char *v = mysqlc_rows_get(rows, r, vc);
        if (k == NULL)
            continue;
        if (strcasecmp(k, "wsrep_local_state_comment") == 0)
            snprintf(g.state, sizeof g.state, "%s", v ? v : "");
        else if (strcasecmp(k, "wsrep_local_state") == 0)
            g.local_state = (int)num(v, -1);
        else if (strcasecmp(k, "wsrep_cluster_size") == 0)
            g.cluster_size = (int)num(v, -1);
        else if (strcasecmp(k, "wsrep_cluster_status") == 0) {
            snprintf(g.status, sizeof g.status, "%s", v ? v : "");
            have_status = true;
        } else if (strcasecmp(k, "wsrep_ready") == 0)
            g.ready = on(v);
        else if (strcasecmp(k, "wsrep_connected") == 0)
            g.connected = on(v);
        else if (strcasecmp(k, "wsrep_flow_control_paused") == 0)
            g.fc_paused = v && *v ? strtod(v, NULL) : -1;
        else if (strcasecmp(k, "wsrep_local_recv_queue") == 0)
            g.recv_queue = (int)num(v, -1);
        else if (strcasecmp(k, "wsrep_local_send_queue") == 0)
            g.send_queue = (int)num(v, -1);
        else if (strcasecmp(k, "wsrep_last_committed") == 0)
            g.last_committed = num(v, -1);
        else if (strcasecmp(k, "wsrep_cluster_state_uuid") == 0)
            snprintf(g.cluster_uuid, sizeof g.cluster_uuid, "%s", v ? v : "");
        else if (strcasecmp(k, "wsrep_provider_version") == 0)
            snprintf(g.provider_version, sizeof g.provider_version, "%s", v ? v : "");
        else if (strcasecmp(k, "wsrep_incoming_addresses") == 0)
            snprintf(g.incoming, sizeof g.incoming, "%s", v ? v : "");
    }
    if (!have_status)
        return pxerr_set(err, PXE_PARSE,
                         "wsrep status: no wsrep_cluster_status row; is the wsrep provider "
                         "loaded?");
    *out = g;
    return 0;
}

bool
galera_to_model(struct model *m, const struct galera_status *g, int64_t wall_ms,
                struct m_galera *out)
{
    struct m_galera n = *out;
    n.known = true;
    n.seen = true;
    n.as_of_ms = wall_ms;
    n.state = intern_str(&m->strings, g->state);
    n.status = intern_str(&m->strings, g->status);
    n.cluster_size = g->cluster_size;
    n.ready = g->ready;
    n.connected = g->connected;
    n.fc_paused = g->fc_paused < 0 ? 0 : g->fc_paused;
    n.recv_queue = g->recv_queue;
    n.send_queue = g->send_queue;
    n.error = NULL;
    bool changed = !out->known || n.state != out->state || n.status != out->status ||
                   n.cluster_size != out->cluster_size || n.ready != out->ready ||
                   n.connected != out->connected || n.fc_paused != out->fc_paused ||
                   n.recv_queue != out->recv_queue || n.send_queue != out->send_queue ||
                   out->error != NULL;
    n.updated_ms = wall_ms;
    *out = n;
    return changed;
}

void
galera_summary(const struct galera_status *g, char *buf, size_t n)
{
    snprintf(buf, n, "%s, %s, %d node%s%s", g->state[0] ? g->state : "?",
             g->status[0] ? g->status : "?", g->cluster_size, g->cluster_size == 1 ? "" : "s",
             g->ready ? "" : ", not ready");
}
