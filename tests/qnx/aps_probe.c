/*
 * aps_probe: a program that uses adaptive partitioning when the system
 * has it, as the Adaptive Partitioning User's Guide creates a partition
 * (APS_INIT_DATA, SchedCtl(SCHED_APS_CREATE_PARTITION)), and goes on
 * without it otherwise: Axon is a QNX system without the APS module, so
 * the probe reports ENOSYS and the program runs in no partition.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/neutrino.h>
#include <sys/sched_aps.h>

int
main(void)
{
	sched_aps_info info;
	sched_aps_create_parms cp;

	APS_INIT_DATA(&info);
	if (SchedCtl(SCHED_APS_QUERY_PARMS, &info, sizeof(info)) == -1) {
		printf("SCHED_APS_QUERY_PARMS: %s\n",
		    errno == ENOSYS ? "ENOSYS" : strerror(errno));
	} else {
		printf("partitions: %u of %u\n", info.num_partitions,
		    info.max_partitions);
	}
	APS_INIT_DATA(&cp);
	cp.budget_percent = 15;
	cp.critical_budget_ms = 0;
	cp.name = "DebugReserve";
	if (SchedCtl(SCHED_APS_CREATE_PARTITION, &cp, sizeof(cp)) != EOK) {
		printf("Couldn't create partition \"%s\": %s\n", cp.name,
		    errno == ENOSYS ? "ENOSYS" : strerror(errno));
	} else {
		printf("The new partition's ID is %d.\n", cp.id);
	}
	if (SchedCtl_r(SCHED_APS_QUERY_PARMS, &info, 1) == -EINVAL) {
		printf("a wrong length: EINVAL\n");
	}
	return 0;
}
