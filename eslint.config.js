// ESLint decides what the formatter does not: typescript-eslint's recommended rules over the code.
// Layering (who may import whom, no circles) is dependency-cruiser's: .dependency-cruiser.cjs.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'data-demo/', 'test-output/', 'public/vendor/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser, htmx: 'readonly' } } },
  // The compiler checks names in TypeScript; this rule does not know its types.
  { files: ['**/*.ts', '**/*.tsx'], rules: { 'no-undef': 'off' } },
  // A worker the source tree runs as plain CommonJS.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // A migration is frozen in time and types its database as Kysely<any>, as Kysely advises.
  { files: ['migrations/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Routes call services; the queries live in the services (routes -> services -> the database).
  {
    files: ['src/**/*routes.ts', 'src/**/*routes.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(selectFrom|updateTable|insertInto|deleteFrom|transaction)$/]',
          message: "A route calls a service; move this query into the feature's service.",
        },
      ],
    },
  },
  // Unused names are an error unless they start with an underscore (a destructured leftover, a required parameter).
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }] } },
)
