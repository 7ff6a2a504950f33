// Checks the provisioned Grafana dashboards (monitoring/grafana/dashboards/*.json), offline or
// against a running Prometheus:
//
//   node ci/tests/lib/grafana-check.mjs fields DASHBOARD.json…
//   node ci/tests/lib/grafana-check.mjs subset DASHBOARD.json…
//   node ci/tests/lib/grafana-check.mjs evaluate --prometheus URL [--rate-interval 30s] DASHBOARD.json…
//
//   fields    each dashboard as a TypeScript literal of @grafana/schema's Dashboard type, and each
//             timeseries and stat panel of its panel plug-in's Options type, checked by tsc: no
//             unknown field at any depth, no missing required one, enum values spelled as Grafana
//             knows them (the JSON carries an enum's value: Json<T> below turns each enum into the
//             union of its values, as Grafana reads them)
//   subset    what the types cannot say (the documented subset check): a unique uid and title, a
//             provisioned data source uid (prometheus) on every panel and target, unique panel
//             ids, panels inside the 24-column grid and not overlapping, only the panel types the
//             Options check covers (row, timeseries, stat), every non-row panel with at least one
//             target, unique refIds, a non-empty expr, every $variable used defined and every
//             variable defined used
//   evaluate  every target's PromQL through Prometheus' HTTP API (/api/v1/query) with the
//             template variables substituted as Grafana would: a query variable's
//             label_values(METRIC, LABEL) is asked of /api/v1/label/LABEL/values, and "All" on a
//             multi-value variable becomes the regex (v1|v2|…) Grafana sends; $__rate_interval and
//             $__interval become --rate-interval. A target answers "data" when it returns at
//             least one series with a finite number; anything else names the panel
//
// Prints one line per problem (dashboard: panel "title" refId: what) and exits 1 when there is any;
// prints the number of dashboards, panels or queries checked otherwise. Needs @grafana/schema and
// typescript (ci/tests/package.json) for `fields`; Node 20's fetch for `evaluate`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const mode = args.shift();
const options = { prometheus: null, 'rate-interval': '30s' };
const files = [];
while (args.length) {
  const arg = args.shift();
  if (arg.startsWith('--')) options[arg.slice(2)] = args.shift();
  else files.push(arg);
}
if (!['fields', 'subset', 'evaluate'].includes(mode) || files.length === 0) {
  console.error('usage: grafana-check.mjs fields|subset|evaluate [--prometheus URL] [--rate-interval D] DASHBOARD.json…');
  process.exit(2);
}
const boards = files.map((file) => ({ file, name: basename(file), json: JSON.parse(readFileSync(file, 'utf8')) }));
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const panelsOf = (d) => (d.panels ?? []).flatMap((p) => [p, ...(p.type === 'row' ? (p.panels ?? []) : [])]);
const where = (b, p, t) => `${b.name}: panel "${p.title}"${t ? ` ${t.refId}` : ''}`;

const PANEL_TYPES = { timeseries: 'TimeSeriesOptions', stat: 'StatOptions' };

function fields() {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'grafana-check-'));
  try {
    // tsc resolves @grafana/schema from the folder's node_modules: ci/tests'.
    symlinkSync(join(here, '..', 'node_modules'), join(dir, 'node_modules'));
    const composable = '@grafana/schema/dist/esm/raw/composable';
    let source = `import type { Dashboard, Panel } from '@grafana/schema';
import type { Options as TimeSeriesOptions } from '${composable}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Options as StatOptions } from '${composable}/stat/panelcfg/x/StatPanelCfg_types.gen';
// A JSON file holds an enum's value ("list"), never the enum member (LegendDisplayMode.List).
type Json<T> = T extends string ? \`\${T}\` : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Typed<O> = Json<Omit<Panel, 'options'>> & { options: Json<O> };
`;
    boards.forEach((b, i) => {
      source += `\n// ${b.name}\nexport const dashboard${i}: Json<Dashboard> = ${JSON.stringify(b.json, null, 2)};\n`;
      panelsOf(b.json).forEach((p, j) => {
        if (PANEL_TYPES[p.type]) source += `export const dashboard${i}panel${j}: Typed<${PANEL_TYPES[p.type]}> = ${JSON.stringify(p)};\n`;
      });
    });
    writeFileSync(join(dir, 'dashboards.ts'), source);
    const tsc = join(here, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', join(dir, 'dashboards.ts')], {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (e) {
      const lines = source.split('\n');
      // dashboards.ts(LINE,COL): error TS…: name the dashboard the line belongs to
      for (const m of `${e.stdout}`.matchAll(/dashboards\.ts\((\d+),\d+\): (error TS\d+: .*(?:\n {2,}.*)*)/g)) {
        const at = Number(m[1]);
        const owner = [...lines.slice(0, at)].reverse().find((l) => l.startsWith('// ') && l.endsWith('.json')) ?? '// ?';
        const field = (lines[at - 1] ?? '').trim().slice(0, 80);
        problem(owner.slice(3), `${m[2].replace(/\s+/g, ' ')} (at ${field})`);
      }
      if (problems.length === 0) problem('tsc', `${e.stdout}${e.stderr}`.trim() || 'failed');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return boards.length;
}

function subset() {
  const uids = new Map();
  const titles = new Map();
  let panels = 0;
  for (const b of boards) {
    const d = b.json;
    for (const [key, seen] of [
      ['uid', uids],
      ['title', titles],
    ]) {
      if (!d[key]) problem(b.name, `no ${key}`);
      else if (seen.has(d[key])) problem(b.name, `${key} "${d[key]}" also in ${seen.get(d[key])}`);
      else seen.set(d[key], b.name);
    }
    const variables = new Set((d.templating?.list ?? []).map((v) => v.name));
    const used = new Set();
    const ids = new Set();
    const cells = new Map();
    for (const p of panelsOf(d)) {
      panels++;
      if (!Number.isInteger(p.id) || ids.has(p.id)) problem(where(b, p), `id ${p.id} missing or not unique`);
      ids.add(p.id);
      const g = p.gridPos;
      if (!g || g.x < 0 || g.w < 1 || g.h < 1 || g.x + g.w > 24) problem(where(b, p), `gridPos ${JSON.stringify(g)} outside the 24-column grid`);
      else
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            const other = cells.get(`${x},${y}`);
            if (other && other !== p.title) problem(where(b, p), `overlaps panel "${other}" at ${x},${y}`);
            cells.set(`${x},${y}`, p.title);
          }
      if (p.type === 'row') continue;
      if (!PANEL_TYPES[p.type]) problem(where(b, p), `panel type ${p.type} is not one the Options check covers (${Object.keys(PANEL_TYPES).join(', ')})`);
      if (p.datasource?.uid !== 'prometheus') problem(where(b, p), 'panel data source is not the provisioned uid prometheus');
      if (!p.title) problem(where(b, p), 'no title');
      if (!p.description) problem(where(b, p), 'no description (what the panel shows, shown as its tooltip)');
      const targets = p.targets ?? [];
      if (targets.length === 0) problem(where(b, p), 'no query');
      const refIds = new Set();
      for (const t of targets) {
        if (!t.refId || refIds.has(t.refId)) problem(where(b, p, t), 'refId missing or not unique');
        refIds.add(t.refId);
        if (t.datasource?.uid !== 'prometheus') problem(where(b, p, t), 'target data source is not prometheus');
        if (typeof t.expr !== 'string' || !t.expr.trim()) problem(where(b, p, t), 'no expr');
        for (const m of `${t.expr}`.matchAll(/\$\{?(\w+)/g)) {
          if (m[1].startsWith('__')) continue;
          used.add(m[1]);
          if (!variables.has(m[1])) problem(where(b, p, t), `uses $${m[1]}, which the dashboard does not define`);
        }
      }
    }
    for (const v of variables) if (!used.has(v)) problem(b.name, `variable $${v} is defined but no query uses it`);
  }
  return panels;
}

async function evaluate() {
  const base = options.prometheus;
  if (!base) throw new Error('evaluate needs --prometheus URL');
  const ask = async (path, params) => {
    const response = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
    const body = await response.json();
    if (body.status !== 'success') throw new Error(`${body.errorType ?? response.status}: ${body.error ?? 'no answer'}`);
    return body.data;
  };
  // Grafana's own escaping of a value for a Prometheus regex matcher: the regex's backslash is
  // doubled again inside the PromQL string (prometheusSpecialRegexEscape).
  const escape = (s) => s.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
  let queries = 0;
  for (const b of boards) {
    const values = {};
    for (const v of b.json.templating?.list ?? []) {
      const query = typeof v.query === 'string' ? v.query : v.query?.query;
      const m = /^label_values\((.*),\s*(\w+)\)$/.exec(query ?? '');
      if (v.type !== 'query' || !m) {
        problem(b.name, `variable $${v.name}: only label_values(METRIC, LABEL) query variables are understood here`);
        continue;
      }
      const found = await ask(`/api/v1/label/${m[2]}/values`, { 'match[]': m[1] });
      if (found.length === 0) problem(b.name, `variable $${v.name}: ${query} has no value`);
      values[v.name] = v.includeAll || v.multi ? `(${found.map(escape).join('|')})` : escape(found[0] ?? '');
    }
    for (const p of panelsOf(b.json).filter((p) => p.type !== 'row')) {
      for (const t of p.targets ?? []) {
        queries++;
        const expr = t.expr
          .replace(/\$__rate_interval|\$\{__rate_interval\}|\$__interval|\$\{__interval\}/g, options['rate-interval'])
          .replace(/\$\{?(\w+)\}?/g, (all, name) => values[name] ?? all);
        try {
          const data = await ask('/api/v1/query', { query: expr });
          const series = data.resultType === 'scalar' ? [{ value: data.result }] : data.result;
          const finite = series.filter((s) => Number.isFinite(Number(s.value?.[1])));
          if (finite.length === 0) problem(where(b, p, t), `no data (${series.length} series, none with a number): ${expr}`);
        } catch (e) {
          problem(where(b, p, t), `${e.message}: ${expr}`);
        }
      }
    }
  }
  return queries;
}

const count = await { fields, subset, evaluate }[mode]();
if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
console.log(count);
