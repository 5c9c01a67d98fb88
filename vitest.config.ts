import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * Vite 8's TypeScript transform (Oxc) leaves TC39 decorators in place and Node 20 cannot parse them, so files
 * that use `@` decorators go through esbuild first, which lowers them as `tsc` does.
 */
const lowerDecorators: Plugin = {
  name: 'rqts:lower-tc39-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!/\.ts$/.test(id) || !/^\s*@\w+/m.test(code)) return null;
    const out = await transform(code, { loader: 'ts', target: 'es2022', format: 'esm', sourcemap: true, sourcefile: id });
    return { code: out.code, map: out.map };
  },
};

export default defineConfig({
  plugins: [lowerDecorators],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Interop files each start their own redis-server and Python workers; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
