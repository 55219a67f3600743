// The layers of the house, checked by `npm run lint` (dependency-cruiser). Arrows point down:
//
//   views  →  (plain data only)
//   routes (src/<feature>/routes.tsx, src/http/)  →  services (src/<feature>/*.ts)  →  src/db/, src/lib/
//   connectors (src/connectors/<name>/)  →  the kit (src/connectors/kit/), src/lib/, src/runtime/, views/components/ only
//   core modules (employees, companies, job sites, …)  ↛  the hub (integrations, staging, connectors), payroll
//
// Nothing breaks them: any violation fails the lint, and with it CI.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import circle: one of its files must not know the other.', from: {}, to: { circular: true } },
    {
      name: 'lib-is-a-leaf',
      severity: 'error',
      comment: 'src/lib/ is shared by everything and imports nothing of the app.',
      from: { path: '^src/lib/' },
      to: { path: '^(src|views)/', pathNot: '^src/lib/' },
    },
    {
      name: 'db-imports-no-feature',
      severity: 'error',
      comment: "src/db/ is the bottom of the house: it knows no feature (the kit's types are below it).",
      from: { path: '^src/db/' },
      to: { path: '^(src|views)/', pathNot: ['^src/db/', '^src/lib/', '^src/runtime/', '^src/connectors/kit/', '^migrations/'] },
    },
    {
      name: 'connectors-use-the-kit',
      severity: 'error',
      comment:
        'A connector plugs in through the kit (src/connectors/kit/), src/lib/, src/runtime/ and the shared page components (views/components/); it reaches into no hub code.',
      from: { path: '^src/connectors/([^/]+)/', pathNot: '^src/connectors/kit/' },
      to: { path: '^(src|views)/', pathNot: ['^src/connectors/$1/', '^src/connectors/kit/', '^src/lib/', '^src/runtime/', '^views/components/'] },
    },
    {
      name: 'the-kit-is-the-bottom',
      severity: 'error',
      comment: 'The connector kit (contract, records, HTTP retry, request gates, sheet reading) stands on src/lib/ and src/runtime/ alone.',
      from: { path: '^src/connectors/kit/' },
      to: { path: '^(src|views)/', pathNot: ['^src/connectors/kit/', '^src/lib/', '^src/runtime/'] },
    },
    {
      name: 'views-take-plain-data',
      severity: 'error',
      comment: 'A view renders the data it is given; it imports no database, service or route code.',
      from: { path: '^views/' },
      to: { path: '^src/', pathNot: ['^src/lib/'] },
    },
    {
      name: 'core-modules-stand-alone',
      severity: 'error',
      comment: 'A core module (employees, companies, …) knows neither the integrations hub nor payroll.',
      from: { path: '^src/(employees|companies|job-sites|cost-codes|departments|pay-ids|payroll-items|records)/' },
      to: { path: '^src/(integrations|staging|connectors|payroll)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
  },
}
