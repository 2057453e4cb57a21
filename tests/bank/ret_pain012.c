/*
 * ret_pain012.c - the bank's mandate acceptance report (pain.012) for a
 * pain.009 or pain.011: .001.08 answers .08, .001.05 answers .05.
 *
 *   GrpHdr                MsgId, CreDtTm
 *   UndrlygAccptncDtls *  OrgnlMsgInf (MsgId, MsgNmId), AccptncRslt
 *                         (Accptd, RjctRsn/Cd, AddtlRjctRsnInf),
 *                         OrgnlMndt/OrgnlMndtId
 *
 * One entry per mandate of the request, in its order. t_bank.sh
 * validates every report against the schema.
 */
#include <stdlib.h>

#include "common/date.h"
#include "formats/xmlout.h"
#include "tests/bank/bank.h"

int
ret_pain012(FILE *fp, enum iso_msg version, const char *msg_id,
    time_t created, const char *orig_msg_name, const struct mreply *r,
    size_t n, struct gw_err *e)
{
	struct xo *x;
	char ts[TS_BUFSZ];
	size_t i;
	int failed;

	if ((x = malloc(sizeof(*x))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	xo_init(x, fp);
	xo_document(x, version);
	xo_open(x, "GrpHdr");
	xo_leaf(x, "MsgId", msg_id);
	xo_leaf(x, "CreDtTm", ts_format(ts, created));
	xo_close(x, "GrpHdr");
	for (i = 0; i < n; i++) {
		xo_open(x, "UndrlygAccptncDtls");
		xo_open(x, "OrgnlMsgInf");
		xo_leaf(x, "MsgId", r[i].orig_msg_id);
		xo_leaf(x, "MsgNmId", orig_msg_name);
		xo_close(x, "OrgnlMsgInf");
		xo_open(x, "AccptncRslt");
		xo_leaf(x, "Accptd", r[i].accepted ? "true" : "false");
		if (!r[i].accepted) {
			xo_open(x, "RjctRsn");
			xo_leaf(x, "Cd", r[i].code);
			xo_close(x, "RjctRsn");
			if (r[i].text)
				xo_leaf(x, "AddtlRjctRsnInf", r[i].text);
		}
		xo_close(x, "AccptncRslt");
		xo_open(x, "OrgnlMndt");
		xo_leaf(x, "OrgnlMndtId", r[i].mandate_id);
		xo_close(x, "OrgnlMndt");
		xo_close(x, "UndrlygAccptncDtls");
	}
	xo_end_document(x);
	failed = xo_flush(x) != 0;
	free(x);
	return failed ? gw_err_set(e, GW_EIO, "pain.012: write failed") : 0;
}
