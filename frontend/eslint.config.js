// Flat config: ESLint's recommended rules plus typescript-eslint's type-aware ones for src/.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'test-results/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.ts', 'vite.config.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.browser,
    },
    rules: {
      // Template literals with numbers are the clearest way to build URLs and messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Checked indexing (`array[0]!`) is how the tests say "this exists".
      '@typescript-eslint/no-non-null-assertion': 'off',
      // No innerHTML or its siblings: data is rendered with textContent only.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Use textContent or dom.ts h().' },
        { property: 'outerHTML', message: 'Use textContent or dom.ts h().' },
        { property: 'insertAdjacentHTML', message: 'Use textContent or dom.ts h().' },
      ],
    },
  },
  {
    files: ['e2e/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
