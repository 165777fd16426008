// The environment the browser tests need, read once. A missing variable
// fails the test file that needs it: a browser test that skips itself when
// run by hand without a server would pass without testing.
export function requireEnv(...names) {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length)
    throw new Error(`${missing.join(' and ')} not set: run the browser tests with tests/run.sh, or set them (see the top of this file)`);
  return names.map((n) => process.env[n]);
}
