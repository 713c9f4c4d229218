#!/usr/bin/env node
// Prints `N passed, M failed[, K skipped]` from vitest's JSON report; exits 1 if any test failed,
// a file failed to load, or the report is missing (a crashed run is a failed run).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`no test report (${err.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = r.numPassedTests ?? 0;
let failed = r.numFailedTests ?? 0;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// a test file that failed to load has no failed tests but a failed suite
const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && (t.assertionResults ?? []).every((a) => a.status !== 'failed'));
for (const t of brokenFiles) console.log(`failed to run: ${t.name}: ${(t.message ?? '').split('\n')[0]}`);
failed += brokenFiles.length;
if (passed + failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
