/**
 * For suites that only the native stack of infra/up.sh can serve: its secured listeners
 * (SASL_SSL, https), its scripts, or a clickhouse-server binary a test stops and starts.
 * When test/global-setup.js chose containers (VIGIL_TEST_STACK, README "Tests"), this
 * returns why the suite cannot run, and prints it; the suite then skips:
 *   const missing = nativeStackMissing('test/security/acls', 'the SASL_SSL listener');
 *   (missing ? describe.skip : describe)('…', () => { … });
 */
export function nativeStackMissing(suite: string, needs: string): string | undefined {
  if (process.env.VIGIL_TEST_STACK_SELECTED !== 'containers') return undefined;
  const reason = `[native-only] ${suite} skipped: it needs ${needs}, which only the native stack (infra/up.sh) provides; VIGIL_TEST_STACK chose containers`;
  // Straight to stderr: jest prints no console output of a file whose tests are all skipped.
  process.stderr.write(`${reason}\n`);
  return reason;
}
