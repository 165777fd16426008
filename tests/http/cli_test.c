/* The command line's answers to wrong arguments, from the real binary:
 * each says what is wrong and exits with status 2. Needs no database and
 * nothing from ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "harness.h"

/* Runs naba with args; asserts exit status 2 and that its output has
 * want. */
static void refused_with(const char *const *args, const char *want) {
  buf_t out = {0};
  assert_int_equal(naba(&out, args), 2);
  buf_putc(&out, '\0');
  if (!strstr(out.data, want))
    fail_msg("wanted \"%s\" in: %s", want, out.data);
  buf_free(&out);
}

static void port_out_of_range_says_the_range(void **s) {
  (void)s;
  const char *const big[] = {"serve", "--port", "99999", NULL};
  refused_with(big, "--port 99999 is out of range: 1 to 65535, or 0 for any "
                    "free port");
  const char *const negative[] = {"serve", "--port", "-1", NULL};
  refused_with(negative, "--port -1 is out of range");
  const char *const huge[] = {"serve", "--port", "99999999999999999999999",
                              NULL};
  refused_with(huge, "is out of range");
}

static void port_that_is_not_a_number_says_so(void **s) {
  (void)s;
  const char *const word[] = {"serve", "--port", "eighty", NULL};
  refused_with(word, "--port needs a number, got \"eighty\"");
  const char *const none[] = {"serve", "--port", NULL};
  refused_with(none, "--port needs a number, got \"\"");
}

static void port_from_the_environment_is_checked_too(void **s) {
  (void)s;
  setenv("NABA_PORT", "70000", 1);
  const char *const args[] = {"serve", NULL};
  refused_with(args, "NABA_PORT 70000 is out of range");
  unsetenv("NABA_PORT");
}

static void threads_out_of_range_says_the_range(void **s) {
  (void)s;
  const char *const args[] = {"serve", "--threads", "65", NULL};
  refused_with(args, "--threads 65 is out of range: 1 to 64");
}

static void unknown_option_and_command_are_named(void **s) {
  (void)s;
  const char *const opt[] = {"serve", "--prot", "80", NULL};
  refused_with(opt, "unknown option --prot");
  const char *const cmd[] = {"srve", NULL};
  refused_with(cmd, "unknown command \"srve\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(port_out_of_range_says_the_range),
      cmocka_unit_test(port_that_is_not_a_number_says_so),
      cmocka_unit_test(port_from_the_environment_is_checked_too),
      cmocka_unit_test(threads_out_of_range_says_the_range),
      cmocka_unit_test(unknown_option_and_command_are_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
