import { defineConfig } from 'vitest/config';

// Run from a git hook (the pre-commit hook runs the unit tests), git has set variables that point every git command
// at the repository being committed: a test's git in its temp folder would write there. The workers inherit this.
for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_PREFIX']) {
  delete process.env[name];
}

export default defineConfig({
  test: {
    // Two workers even on two cores: most of an end-to-end test is waiting (git processes, loopback servers, the
    // spacing of GitHub writes), and one worker left the machine half idle.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup/fast-check.ts'],
          // Property runs and native git repacks take a few seconds; on a busy shared runner, several times that.
          // Speed is judged in bench/, never here, so a slow machine must not fail a test.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
