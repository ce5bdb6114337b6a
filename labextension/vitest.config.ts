import { defineConfig } from 'vitest/config';

// The unit tests cover the pure functions (layout, formatting, the %%flow tokenizer): no DOM needed.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node'
  }
});
