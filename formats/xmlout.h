/*
 * xmlout.h - the streaming XML output the ISO 20022 writers share
 * (internal to formats/).
 *
 * Elements are appended to a fixed buffer that is handed to the FILE in
 * 64 KiB blocks, so a writer's memory is the same for one item or ten
 * million. Text is escaped here and nowhere else; values are checked by
 * the writers (iso20022.h) before they reach it, so nothing in this file
 * fails except the FILE, and that failure is sticky: xo_flush reports it.
 *
 * Output is indented, one element a line, so an operator can read a
 * batch with less(1) and a diff shows which item changed.
 */
#ifndef GW_XMLOUT_H
#define GW_XMLOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/err.h"
#include "formats/iso20022.h"

#define XO_BUFSZ 65536

struct xo {
	FILE	*fp;
	size_t	 len;
	int	 depth;
	int	 failed;	/* a write to fp failed */
	const char *root;	/* the message element xo_document opened */
	char	 buf[XO_BUFSZ];
};

void	xo_init(struct xo *x, FILE *fp);

/*
 * The XML declaration, <Document> in message m's namespace and m's root
 * element (<CstmrDrctDbtInitn> ...), both opened; xo_end_document closes
 * them.
 */
void	xo_document(struct xo *x, enum iso_msg m);

/* <tag> on a new line; the next elements are its children. */
void	xo_open(struct xo *x, const char *tag);

/* </tag> on a new line, closing the innermost open element. */
void	xo_close(struct xo *x, const char *tag);

/* </Document> and the final newline. */
void	xo_end_document(struct xo *x);

/* <tag>text</tag>, text escaped. */
void	xo_leaf(struct xo *x, const char *tag, const char *text);

/* <tag Ccy="CNY">yuan.fen</tag> from fen. */
void	xo_amount(struct xo *x, const char *tag, int64_t fen);

/* <tag>YYYY-MM-DD</tag> from a day number. */
void	xo_date(struct xo *x, const char *tag, int day);

/* Write out what is buffered and fflush. Returns 0, or -1 if any write
 * to the FILE has failed since xo_init. */
int	xo_flush(struct xo *x);

/*
 * Writers keep their first error in a struct gw_err of their own, so that
 * every later call fails the same way; this passes it on to the caller's
 * e and returns its code.
 */
int	xo_stuck(const struct gw_err *sticky, struct gw_err *e);

/*
 * Building blocks shared by the messages. A NULL optional value leaves
 * its element out.
 */

/* <tag><FinInstnId><BICFI>..</BICFI></FinInstnId></tag>, or for a
 * 12-digit code ClrSysMmbId with ClrSysId/Cd CNAPS. bic_tag is "BICFI",
 * or "BIC" in pain.008.001.02. */
void	xo_agent(struct xo *x, const char *tag, const char *agent,
	    int is_cnaps, const char *bic_tag);

/*
 * GrpHdr of every message we write: MsgId, CreDtTm (local time with its
 * offset), NbOfTxs and CtrlSum when nb >= 0 (pain.008 only), and the
 * initiating party (the bureau, by its USCC).
 */
void	xo_group_header(struct xo *x, const char *msg_id, time_t created,
	    int64_t nb, int64_t sum_fen, const char *initiator_name,
	    const char *initiator_id);

/* <tag><Id><Othr><Id>account</Id></Othr></Id></tag>. */
void	xo_account(struct xo *x, const char *tag, const char *account);

enum xo_id_kind { XO_ID_NONE, XO_ID_PERSON, XO_ID_ORG };

/*
 * <tag><Nm>name</Nm><Id>..</Id></tag>: a person's ID as PrvtId/Othr with
 * SchmeNm/Cd NIDN (national identity number); an organisation's as
 * OrgId/Othr with SchmeNm/Prtry scheme (USCC for a unified social credit
 * code). name may be NULL.
 */
void	xo_party(struct xo *x, const char *tag, const char *name,
	    enum xo_id_kind kind, const char *id, const char *scheme);

#endif
