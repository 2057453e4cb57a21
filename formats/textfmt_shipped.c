/*
 * textfmt_shipped.c - the descriptors in formats/descriptors/, compiled
 * into the binary so that `debitgw init` can copy them into a new home
 * from a fresh clone or an installed binary alike, with no data directory
 * to find at run time.
 *
 * The assembler's .incbin includes each file byte for byte (followed by a
 * NUL), so the .fmt files stay the one source: there is no generated C to
 * fall out of step. The path is relative to the top of the tree, where
 * make runs the compiler; the Makefile lists the .fmt files as
 * prerequisites of this object so an edited descriptor is rebuilt.
 */
#include "formats/textfmt.h"

#define TEXTFMT_EMBED(sym, file)					\
	__asm__(".pushsection .rodata\n"				\
	    ".balign 16\n"						\
	    ".type " #sym ", @object\n"					\
	    #sym ":\n"							\
	    ".incbin \"" file "\"\n"					\
	    ".byte 0\n"							\
	    ".size " #sym ", . - " #sym "\n"				\
	    ".popsection\n");						\
	extern const char sym[]

TEXTFMT_EMBED(textfmt_gbk_pipe, "formats/descriptors/gbk-pipe.fmt");
TEXTFMT_EMBED(textfmt_gb18030_fixed, "formats/descriptors/gb18030-fixed.fmt");

const struct textfmt_shipped textfmt_shipped[] = {
	{ "gbk-pipe.fmt", textfmt_gbk_pipe },
	{ "gb18030-fixed.fmt", textfmt_gb18030_fixed },
};
const size_t textfmt_nshipped = sizeof(textfmt_shipped) /
    sizeof(textfmt_shipped[0]);
