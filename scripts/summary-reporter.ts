/**
 * Vitest reporter that ends the run with one machine-readable line:
 *
 *   `N passed, N failed` (and `, N skipped` when any test was skipped or left as todo)
 *
 * counting individual tests across all files. A file that fails outside its tests (a syntax error, an
 * import that throws, a failing beforeAll/afterAll) counts as one failed test, and so does each error
 * thrown outside any test (an unhandled rejection); a run that failed with nothing to blame (no test files
 * found, interrupted) counts one. So the line says "failed" whenever the run failed.
 * .ci/run relies on this line being the last one printed.
 */
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countTests(testModules: ReadonlyArray<TestModule>, unhandledErrors: number): RunCounts {
  const counts: RunCounts = { passed: 0, failed: unhandledErrors, skipped: 0 };
  for (const testModule of testModules) {
    let failedHere = 0;
    for (const test of testModule.children.allTests()) {
      const { state } = test.result();
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') failedHere++;
      // 'skipped' (skip, todo, filtered by .only) and 'pending' (never ran: the run was cut short).
      else counts.skipped++;
    }
    if (failedHere === 0 && (testModule.state() === 'failed' || testModule.errors().length > 0)) failedHere = 1;
    counts.failed += failedHere;
  }
  return counts;
}

export function formatSummary({ passed, failed, skipped }: RunCounts): string {
  return `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    const counts = countTests(testModules, unhandledErrors.length);
    if (reason !== 'passed' && counts.failed === 0) counts.failed = 1;
    process.stdout.write(`${formatSummary(counts)}\n`);
  }
}
