/*
 * hooks.h - what the rest of the gateway does when a transfer completes:
 * a confirmed upload of a batch file marks the batch sent; a downloaded
 * file waits in the inbox for ingestion (the daemon ingests it at once).
 */
#ifndef GW_HOOKS_H
#define GW_HOOKS_H

#include "gateway/home.h"
#include "gateway/transport.h"

struct gateway_hooks {
	struct transport_hooks	 t;
	struct home		*h;
	const char		*actor;
};

/* Fill hk for home h; hk must outlive the passes that use &hk->t. */
void	gateway_hooks_init(struct gateway_hooks *hk, struct home *h,
	    const char *actor);

#endif
