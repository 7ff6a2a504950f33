import { defineConfig } from 'vitest/config';

// `npm run dev`: the UI on http://localhost:5173, with /api and /status proxied to the backend's
// embedded dev mode on :8080 (change with API_URL=http://host:port npm run dev).
const api = process.env['API_URL'] ?? 'http://localhost:8080';

export default defineConfig({
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/status': { target: api, changeOrigin: true, rewrite: () => '/actuator/health/readiness' },
      // Exactly /items (with a query): a leading ^ makes the key a regular expression.
      '^/items(\\?.*)?$': {
        target: api,
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/items/, '/api/items'),
      },
    },
  },
  build: {
    // No inline modulepreload polyfill or data: URLs: the CSP is default-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    // Pure modules run in node; component tests opt into jsdom with a file comment.
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
