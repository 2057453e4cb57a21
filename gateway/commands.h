/*
 * commands.h - the command tables of each part, listed in main.c.
 */
#ifndef GW_COMMANDS_H
#define GW_COMMANDS_H

#include "gateway/cli.h"

extern const struct cli_cmd core_cmds[];
extern const struct cli_cmd mandate_cmds[];
extern const struct cli_cmd calendar_cmds[];
extern const struct cli_cmd serve_cmds[];
extern const struct cli_cmd transport_cmds[];
extern const struct cli_cmd batch_cmds[];
extern const struct cli_cmd returns_cmds[];
extern const struct cli_cmd ledger_cmds[];
extern const struct cli_cmd finance_cmds[];
extern const struct cli_cmd keys_cmds[];
extern const struct cli_cmd format_cmds[];

#endif
