/* cli: the command line. Global options are accepted anywhere on the line (before or
 * after the subcommand); what remains is handed to the subcommand, which parses its
 * own flags. Exit codes everywhere: 0 ok, 1 failure, 2 usage. */
#ifndef PXC_CLI_CLI_H
#define PXC_CLI_CLI_H

/* Parse argv and run the console or a subcommand; returns the exit code. */
int cli_main(int argc, char **argv);

#endif
