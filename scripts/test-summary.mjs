#!/usr/bin/env node
// Turns vitest's JSON report into the one line CI reads, `N passed, M failed[, K skipped]`, and
// exits 1 if anything failed. Failures include: failed tests, test files that failed to load
// or whose hooks failed, and a vitest that crashed (no report, or a non-zero exit with no
// failed test: unhandled errors, a failing globalSetup/teardown, a timeout).
//   node scripts/test-summary.mjs REPORT.json [VITEST_EXIT_STATUS]
import { readFileSync } from 'node:fs';

const [file, statusArg] = process.argv.slice(2);
const status = statusArg === undefined ? 0 : Number(statusArg);

let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`vitest wrote no report (exit status ${status}): ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const passed = r.numPassedTests ?? 0;
let failed = r.numFailedTests ?? 0;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that failed to load (or whose beforeAll failed) has a failed status but no failed test.
for (const t of r.testResults ?? []) {
  if (t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')) {
    console.log(`failed to run: ${t.name}: ${(t.message ?? '').split('\n')[0]}`);
    failed += 1;
  }
}
if (failed === 0 && (status !== 0 || r.success === false)) {
  console.log(`vitest exited with status ${status} although no test failed: unhandled errors, a failing global setup or teardown, or a timeout (see the log above)`);
  failed = 1;
}
if (passed + failed === 0) {
  console.log('no test ran');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
