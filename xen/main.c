#include "config.h"
#include <stdio.h>
int main(void) { puts("xen: not yet"); return 1; }
