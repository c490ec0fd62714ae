/*
 * The entry point of herald-fuzz when `make fuzz` builds it with -sanitize=fuzzer (and -DHERALD_FUZZING).
 * SwiftPM links an executable's entry point as `<module>_main`; a Swift module built with -parse-as-library for
 * libFuzzer has none, so this C function is that entry point and hands control to libFuzzer's driver, which calls
 * the Swift `LLVMFuzzerTestOneInput` for every input. In the ordinary build this file is empty.
 */
#ifdef HERALD_FUZZING
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int herald_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
#endif
