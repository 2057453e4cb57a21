/*
 * hooks.c - transfer events to batch (and return) state.
 *
 * Hooks must be idempotent: the transport runs on_uploaded again when a
 * pass stopped between the bank's confirmation and the archiving.
 */
#include <string.h>

#include "gateway/batch.h"
#include "gateway/hooks.h"
#include "gateway/mandreq.h"

static int
on_uploaded(void *arg, const char *bank, const char *name, struct gw_err *e)
{
	struct gateway_hooks *hk = arg;
	struct batch b;
	int rc;

	rc = batch_find(hk->h->db, name, &b, NULL);
	if (rc == GW_ENOTFOUND)	/* not a batch: a mandate request file? */
		return mandreq_mark_sent(hk->h->db, bank, name, hk->actor, e);
	if (rc != 0)
		return batch_find(hk->h->db, name, &b, e);
	if ((rc = db_begin(hk->h->db, e)) != 0)
		return rc;
	if ((rc = batch_mark_sent(hk->h->db, bank, name, hk->actor, e)) != 0 ||
	    (rc = db_commit(hk->h->db, e)) != 0)
		db_rollback(hk->h->db);
	return rc;
}

void
gateway_hooks_init(struct gateway_hooks *hk, struct home *h, const char *actor)
{
	memset(hk, 0, sizeof(*hk));
	hk->h = h;
	hk->actor = actor;
	hk->t.arg = hk;
	hk->t.on_uploaded = on_uploaded;
	/* No on_downloaded: a fetched file waits in the inbox (hooks.h). */
}
