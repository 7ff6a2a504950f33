// Every alert of the rule files has a promtool unit test in which it fires and one in which it
// stays silent, a severity (critical or warning) and its annotations (summary, description,
// runbook, runbook_url):
//
//   node ci/tests/lib/alert-coverage.mjs RULES.yml… -- TESTS.yml…
//
// Prints one line per problem and exits 1 when there is any; otherwise "N alerts, M test cases".
// Needs yaml (ci/tests/package.json).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 || split === args.length - 1) {
  console.error('usage: alert-coverage.mjs RULES.yml… -- TESTS.yml…');
  process.exit(2);
}
const read = (files) => files.map((f) => parse(readFileSync(f, 'utf8')));
const alerts = read(args.slice(0, split))
  .flatMap((r) => r.groups.flatMap((g) => g.rules))
  .filter((r) => r.alert);
const cases = read(args.slice(split + 1)).flatMap((t) => t.tests.flatMap((c) => c.alert_rule_test ?? []));
const problems = [];
for (const a of alerts) {
  const own = cases.filter((c) => c.alertname === a.alert);
  if (!own.some((c) => (c.exp_alerts ?? []).length > 0)) problems.push(`${a.alert}: no test in which it fires`);
  if (!own.some((c) => (c.exp_alerts ?? []).length === 0)) problems.push(`${a.alert}: no test in which it stays silent`);
  if (!['critical', 'warning'].includes(a.labels?.severity)) problems.push(`${a.alert}: severity is not critical or warning`);
  for (const k of ['summary', 'description', 'runbook', 'runbook_url']) if (!a.annotations?.[k]) problems.push(`${a.alert}: no ${k} annotation`);
}
for (const c of cases) if (!alerts.some((a) => a.alert === c.alertname)) problems.push(`a test case names ${c.alertname}, which no rule defines`);
console.log(problems.length ? problems.join('\n') : `${alerts.length} alerts, ${cases.length} test cases`);
process.exit(problems.length ? 1 : 0);
