/* fuzz.h: the entry point every harness defines, declared once for the
 * harnesses, the replay driver (driver.c) and libFuzzer. */
#ifndef NABA_FUZZ_H
#define NABA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; aborts when a property the harness checks fails. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan stops at the first report, so libFuzzer keeps the input that made
 * it (by default UBSan prints and goes on, and the input is lost: a
 * normalize run found one that way). $UBSAN_OPTIONS still wins. */
#ifndef NABA_FUZZ_DRIVER /* once per program: in the harness, not driver.c */
const char *__ubsan_default_options(void);
__attribute__((used)) const char *__ubsan_default_options(void) {
  return "halt_on_error=1:print_stacktrace=1";
}
#endif

#endif
