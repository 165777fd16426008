/* fuzz.h: the entry point every harness defines, declared once for the
 * harnesses, the replay driver (driver.c) and libFuzzer. */
#ifndef NABA_FUZZ_H
#define NABA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; aborts when a property the harness checks fails. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
