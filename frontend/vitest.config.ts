import { defineConfig } from "vitest/config";

// Logic tests only: plain modules, no DOM.
export default defineConfig({
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
