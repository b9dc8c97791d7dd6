import { defineConfig } from "vitest/config";

// `npm run test:readme`: the README's walkthroughs, run as written against the local stack (see the test's header).
export default defineConfig({
  test: {
    include: ["tests/readme/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
