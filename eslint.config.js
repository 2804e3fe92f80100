// `npm run lint`: typescript-eslint's recommended rules, plus the type-aware rules that catch
// real bugs in async code (a promise nobody awaits or handles).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tap queues subtests itself: `t.test(...)` need not be awaited (PromiseWithSubtest)
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // untyped JSON is Record<string, any> on purpose (tests, harvesters, corpus), and migrations take Kysely<any>
      '@typescript-eslint/no-explicit-any': 'off',
      // `_name` marks a value left out on purpose (destructuring a record minus some keys)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // the portal's progressive-enhancement script runs in browsers
    files: ['src/web/static/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly' } },
  },
)
