/*
 * Fault injection for the crash-throttle test: preloaded into billgw, it
 * makes every worker die at start (only workers call FCGX_Init; the master
 * never does), as a worker with a broken dependency would.
 */
#include <unistd.h>

int	FCGX_Init(void);

int
FCGX_Init(void)
{
	_exit(70);
}
