/* galera: wsrep status rows (SHOW GLOBAL STATUS; mysqlc asks for the variables read here
 * only) -> the node's Galera state. Rows are (Variable_name, Value) pairs, read by variable
 * name; unknown variables are ignored and missing ones leave their "unknown" sentinel.
 * Pure: any thread. */
#ifndef PXC_BACKENDS_MYSQL_GALERA_H
#define PXC_BACKENDS_MYSQL_GALERA_H

#include <stdbool.h>
#include <stdint.h>

#include "pxerr.h"
#include "model/model.h"
#include "mysql/mysqlc.h"

struct galera_status {
    char state[40];         /* wsrep_local_state_comment: Synced, Donor/Desynced, Joining... */
    int local_state;        /* wsrep_local_state: 4 Synced, -1 unknown */
    int cluster_size;       /* -1 unknown */
    char status[24];        /* wsrep_cluster_status: Primary, non-Primary, Disconnected */
    bool ready;             /* wsrep_ready = ON */
    bool connected;         /* wsrep_connected = ON */
    double fc_paused;       /* wsrep_flow_control_paused, 0..1, -1 unknown */
    int recv_queue;         /* wsrep_local_recv_queue, -1 unknown */
    int send_queue;         /* wsrep_local_send_queue, -1 unknown */
    int64_t last_committed; /* wsrep_last_committed, -1 unknown */
    char cluster_uuid[40];  /* wsrep_cluster_state_uuid */
    char provider_version[64];
    char incoming[256]; /* wsrep_incoming_addresses */
};

/* Parse the rows into *out (filled on success only). PXE_PARSE when the set is not a
 * status set ("wsrep status: want columns Variable_name and Value (got: ...)") or holds no
 * wsrep_cluster_status (Galera not loaded: "wsrep status: no wsrep_cluster_status row; is
 * the wsrep provider loaded?"). */
int galera_parse(const struct mysqlc_rows *rows, struct galera_status *out,
                 struct pxerr *err) PXC_MUST_CHECK;

/* Copy into the model's per-pod record (strings interned in m). Returns true when
 * something the operator sees changed. Loop thread. */
bool galera_to_model(struct model *m, const struct galera_status *g, int64_t wall_ms,
                     struct m_galera *out);

/* "Synced, Primary, 3 nodes" style one-line summary into buf. */
void galera_summary(const struct galera_status *g, char *buf, size_t n);

#endif
