/* SPDX-License-Identifier: MIT */
/*
 * The C client the Python tests' servers answer.  Usage:
 *   c_client (-n NAME [-g] | -p PID -c CHID [-d ND]) COMMAND...
 * Connects (name_open, or ConnectAttach), then runs each command, one
 * output line each:
 *   send:TEXT:RSIZE  MsgSend(TEXT, RSIZE-byte reply buffer) ->
 *                    "status=S reply=HEX" or "errno=E"
 *   big:N:RSIZE      the same with N bytes, byte i = i % 251
 *   pulse:CODE:VAL   MsgSendPulse(priority 10) -> "ok" or "errno=E"
 * A failed connect prints "connect errno=E" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dispatch.h>
#include <sys/neutrino.h>

static void
print_reply(long st, const unsigned char *rb, size_t rsize)
{
	if (st == -1) {
		printf("errno=%d\n", errno);
		return;
	}
	printf("status=%ld reply=", st);
	for (size_t i = 0; i < rsize; i++) {
		printf("%02x", rb[i]);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	const char *name = NULL;
	int flags = 0;
	int pid = -1, chid = -1, nd = 0;
	int coid;
	int o;

	while ((o = getopt(argc, argv, "n:gp:c:d:")) != -1) {
		switch (o) {
		case 'n':
			name = optarg;
			break;
		case 'g':
			flags |= NAME_FLAG_ATTACH_GLOBAL;
			break;
		case 'p':
			pid = atoi(optarg);
			break;
		case 'c':
			chid = atoi(optarg);
			break;
		case 'd':
			nd = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	coid = name != NULL ? name_open(name, flags)
			    : ConnectAttach((uint32_t) nd, pid, chid,
				  _NTO_SIDE_CHANNEL, 0);
	if (coid == -1) {
		printf("connect errno=%d\n", errno);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		char *cmd = strdup(argv[i]);
		char *a = strtok(cmd, ":");
		char *b = strtok(NULL, ":");
		char *c = strtok(NULL, ":");

		if (a != NULL && strcmp(a, "send") == 0 && b != NULL &&
		    c != NULL) {
			size_t rsize = strtoul(c, NULL, 0);
			unsigned char *rb = calloc(1, rsize + 1);
			long st = MsgSend(coid, b, strlen(b), rb, rsize);

			print_reply(st, rb, rsize);
			free(rb);
		} else if (a != NULL && strcmp(a, "big") == 0 && b != NULL &&
		    c != NULL) {
			size_t n = strtoul(b, NULL, 0);
			size_t rsize = strtoul(c, NULL, 0);
			unsigned char *sb = malloc(n + 1);
			unsigned char *rb = calloc(1, rsize + 1);

			for (size_t k = 0; k < n; k++) {
				sb[k] = (unsigned char) (k % 251);
			}
			print_reply(MsgSend(coid, sb, n, rb, rsize), rb, rsize);
			free(sb);
			free(rb);
		} else if (a != NULL && strcmp(a, "pulse") == 0 && b != NULL &&
		    c != NULL) {
			if (MsgSendPulse(coid, 10, atoi(b), atoi(c)) == -1) {
				printf("errno=%d\n", errno);
			} else {
				printf("ok\n");
			}
		} else {
			printf("bad command %s\n", argv[i]);
			return 2;
		}
		fflush(stdout);
		free(cmd);
	}
	return 0;
}
