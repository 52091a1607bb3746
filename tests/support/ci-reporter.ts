// Ends every run with one line CI can read: `tests: N passed, N failed, N skipped`.
// A file that fails to load and an unhandled error each count as a failure, so a broken
// import can never turn into a silent "0 failed".
import type { Reporter, TestModule } from "vitest/node";

export default class CiReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (tests === 0 && module.state() === "failed") failed++;
    }
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
