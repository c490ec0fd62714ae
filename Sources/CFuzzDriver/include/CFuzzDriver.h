#ifndef HERALD_C_FUZZ_DRIVER_H
#define HERALD_C_FUZZ_DRIVER_H
/* Nothing to call from Swift: this target only supplies herald-fuzz's entry point when `make fuzz` builds it. */
#endif
