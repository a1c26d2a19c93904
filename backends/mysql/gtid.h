/* gtid: GTID arithmetic for the two families the console meets.
 *
 * MySQL / Percona / PXC: GTID sets, "uuid:1-5:7,uuid2:1-3" (8.3+ tags too: "uuid:tag:1-5").
 * Whitespace and newlines between elements are ignored (SHOW REPLICA STATUS wraps long sets
 * with ",\n"). Sets are normalised: uuids lower-cased, sorted, intervals merged.
 *
 * MariaDB: GTID positions, "domain-server-seq" lists ("0-1-100,1-2-7"), at most one entry per
 * domain, as in gtid_slave_pos / Gtid_IO_Pos.
 *
 * Everything here is pure: any thread, no I/O. */
#ifndef PXC_BACKENDS_MYSQL_GTID_H
#define PXC_BACKENDS_MYSQL_GTID_H

#include <stdbool.h>
#include <stdint.h>

#include "pxerr.h"

struct gtid_set; /* opaque, normalised */

/* Parse s (borrowed; "" or NULL is the empty set). On success *out is owned
 * (gtid_set_free). Errors (PXE_PARSE) quote the bad element and its position, e.g.
 *   GTID set: element 2 '3E11FA47-71CA:1-5': bad uuid (want 8-4-4-4-12 hex digits)
 *   GTID set: element 1 'uuid:7-3': interval 7-3 runs backwards */
int gtid_set_parse(const char *s, struct gtid_set **out, struct pxerr *err) PXC_MUST_CHECK;
void gtid_set_free(struct gtid_set *g); /* NULL does nothing */

/* a - b: owned. */
struct gtid_set *gtid_set_subtract(const struct gtid_set *a, const struct gtid_set *b);
/* a ∪ b: owned. */
struct gtid_set *gtid_set_union(const struct gtid_set *a, const struct gtid_set *b);
/* true when every transaction of b is in a. */
bool gtid_set_contains(const struct gtid_set *a, const struct gtid_set *b);
bool gtid_set_is_empty(const struct gtid_set *g);
/* Number of transactions in the set. */
int64_t gtid_set_count(const struct gtid_set *g);
/* Canonical text ("uuid:1-5:7,uuid2:1-3", lower case, no spaces): owned. */
char *gtid_set_format(const struct gtid_set *g);

/* Transactions retrieved (received) but not yet executed: count(retrieved - executed).
 * Strings borrowed. 0 with *gap set, or PXE_PARSE naming which of the two sets is bad. */
int gtid_set_gap(const char *retrieved, const char *executed, int64_t *gap,
                 struct pxerr *err) PXC_MUST_CHECK;

/* Errant transactions: those executed on the replica that the source never had,
 * replica_executed - source_executed. *errant (owned text, "" none) and *count.
 * Strings borrowed. */
int gtid_set_errant(const char *replica_executed, const char *source_executed, char **errant,
                    int64_t *count, struct pxerr *err) PXC_MUST_CHECK;

/* ---------------------------------------------------------------- MariaDB positions */

struct gtid_mentry {
    uint32_t domain;
    uint32_t server;
    uint64_t seq;
};

struct gtid_mpos {
    int n;                 /* read-only */
    struct gtid_mentry *e; /* owned array, sorted by domain, one per domain */
};

/* Parse "0-1-100,1-2-7" (borrowed; "" or NULL: no entries) into *out (owned contents:
 * gtid_mpos_fini). Errors (PXE_PARSE), e.g.
 *   GTID position: element 2 '1-2': want domain-server-seq
 *   GTID position: domain 0 appears twice ('0-1-5', '0-2-9') */
int gtid_mpos_parse(const char *s, struct gtid_mpos *out, struct pxerr *err) PXC_MUST_CHECK;
void gtid_mpos_fini(struct gtid_mpos *p);
/* Entry for domain, or NULL. Borrowed from p. */
const struct gtid_mentry *gtid_mpos_find(const struct gtid_mpos *p, uint32_t domain);

enum gtid_order {
    GTID_EQUAL,    /* same seq in every domain */
    GTID_BEHIND,   /* a is at or before b in every domain of either, and before in one */
    GTID_AHEAD,    /* a is at or after b in every domain, and after in one */
    GTID_DIVERGED, /* ahead in one domain and behind in another */
};
/* Compare a with b domain by domain; a domain missing from one side counts as seq 0. */
enum gtid_order gtid_mpos_compare(const struct gtid_mpos *a, const struct gtid_mpos *b);
const char *gtid_order_name(enum gtid_order o); /* "equal", "behind", "ahead", "diverged" */

/* Events received (io) but not applied (applied): sum over io's domains of
 * io.seq - applied.seq when positive. Seq numbers within a domain only grow, so this is
 * the number of event groups the SQL thread still has to apply. Strings borrowed. */
int gtid_mpos_gap(const char *io_pos, const char *applied_pos, int64_t *gap,
                  struct pxerr *err) PXC_MUST_CHECK;

/* Errant: domains where the replica's position is past the source's, or that the source
 * never had. *errant is owned text of the replica's offending entries ("" none). */
int gtid_mpos_errant(const char *replica_pos, const char *source_pos, char **errant,
                     struct pxerr *err) PXC_MUST_CHECK;

#endif
