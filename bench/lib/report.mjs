// Turns bench/run's figures (name<TAB>value lines) into the results table: Markdown and JSON.
//   node report.mjs figures.tsv latest.md latest.json
import fs from 'node:fs';
import os from 'node:os';

const [tsv, mdPath, jsonPath] = process.argv.slice(2);
const f = {};
for (const line of fs.readFileSync(tsv, 'utf8').split('\n')) {
  const tab = line.indexOf('\t');
  if (tab > 0) f[line.slice(0, tab)] = line.slice(tab + 1);
}
const n = (k) => (f[k] === undefined || f[k] === '' ? NaN : Number(f[k]));
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const ratio = (a, b) => n(a) / n(b);

const rows = [];
function row(id, what, measured, target, met, margin) {
  rows.push({ id, what, measured, target, met: Boolean(met), margin });
}

const pointRatio = ratio('point_rps', 'pgbench_select_tps');
row(1, 'Point read, 32 conns, direct (vs `pgbench -S -M prepared`, 32 clients)',
  `${fmt(n('point_rps'))} rps, p50 ${fmt(n('point_p50'), 2)} ms, p99 ${fmt(n('point_p99'), 2)} ms, ${fmt(n('point_errors'))} errors; pgbench -S ${fmt(n('pgbench_select_tps'))} tps, same SELECT on items ${fmt(n('pgbench_items_read_tps'))} tps → **${fmt(pointRatio, 2)}×** (${fmt(ratio('point_rps', 'pgbench_items_read_tps'), 2)}× of the items SELECT)`,
  '≥ 0.5× pgbench -S, 0 errors', pointRatio >= 0.5 && n('point_errors') === 0, `${fmt(pointRatio / 0.5, 2)}× the target`);
row(2, 'List `?limit=100`, 32 conns, direct', `${fmt(n('list_rps'))} rps, p99 ${fmt(n('list_p99'), 1)} ms, ${fmt(n('list_errors'))} errors`,
  '≥ 5,000 rps (absolute)', n('list_rps') >= 5000 && n('list_errors') === 0, `${fmt(n('list_rps') / 5000, 2)}× the target`);
const nginxRatio = ratio('point_nginx_rps', 'point_direct2_rps');
row(3, 'Point read through Nginx / direct (3 interleaved pairs, means)',
  `${fmt(n('point_nginx_rps'))} / ${fmt(n('point_direct2_rps'))} rps (p99 ${fmt(n('point_nginx_p99'), 1)} / ${fmt(n('point_direct2_p99'), 1)} ms) → **${fmt(nginxRatio, 2)}×**`,
  '≥ 0.8×', nginxRatio >= 0.8 && n('point_nginx_errors') === 0, `${fmt(nginxRatio / 0.8, 2)}× the target`);
row('4a', 'NDJSON export, 1,000,000 rows through Nginx',
  `${fmt(n('export_1m_rows'))} rows in ${fmt(n('export_1m_seconds'), 2)} s → **${fmt(n('export_1m_rows_per_s'))} rows/s** (100k: ${fmt(n('export_100k_rows_per_s'))} rows/s)`,
  '≥ 300,000 rows/s', n('export_1m_rows_per_s') >= 300000 && n('export_1m_rows') === 1000000, `${fmt(n('export_1m_rows_per_s') / 300000, 2)}× the target`);
const rssSlack = 16;
row('4b', 'Export memory: API RSS growth (peak − before)',
  `100k rows: +${fmt(n('export_100k_rss_delta_mb'))} MB; 1M rows: +${fmt(n('export_1m_rss_delta_mb'))} MB`,
  `1M ≤ 100k (+${rssSlack} MB noise)`, n('export_1m_rss_delta_mb') <= n('export_100k_rss_delta_mb') + rssSlack,
  `${fmt(n('export_1m_rss_delta_mb') - n('export_100k_rss_delta_mb'))} MB difference`);
const writeRatio = ratio('create_rps', 'pgbench_insert_tps');
row(5, 'Create `POST /api/items`, 32 conns, direct (vs pgbench INSERT … RETURNING, 32 clients)',
  `${fmt(n('create_rps'))} rps (p99 ${fmt(n('create_p99'), 1)} ms, ${fmt(n('create_errors'))} errors); pgbench ${fmt(n('pgbench_insert_tps'))} tps → **${fmt(writeRatio, 2)}×**`,
  '≥ 0.4×', writeRatio >= 0.4 && n('create_errors') === 0, `${fmt(writeRatio / 0.4, 2)}× the target`);
row(6, 'Search `q=` over 1,000,000 rows, 8 conns, direct',
  `p95 **${fmt(n('search_p95'), 1)} ms** (p50 ${fmt(n('search_p50'), 1)}, p99 ${fmt(n('search_p99'), 1)}), ${fmt(n('search_rps'))} rps, ${fmt(n('search_errors'))} errors`,
  'p95 ≤ 25 ms (absolute)', n('search_p95') <= 25 && n('search_errors') === 0, `${fmt(25 / n('search_p95'), 2)}× headroom`);
row(7, 'SSE: 1,000 subscribers through Nginx, 20 changes',
  `${fmt(n('sse_connected'))} connected, ${fmt(n('sse_received'))}/${fmt(n('sse_expected'))} events; p50 ${fmt(n('sse_p50'), 1)} ms, p99 **${fmt(n('sse_p99'), 1)} ms**, max ${fmt(n('sse_max'), 1)} ms`,
  'p99 ≤ 500 ms, all delivered', n('sse_p99') <= 500 && n('sse_connected') === 1000 && n('sse_received') === n('sse_expected'),
  `${fmt(500 / n('sse_p99'), 1)}× headroom`);
const startRatio = ratio('startup_aot_ms', 'startup_fat_ms');
row(8, 'Start-up to readiness UP, JDK 25 (median of 3)',
  `extracted + AOT cache ${fmt(n('startup_aot_ms'))} ms / fat jar ${fmt(n('startup_fat_ms'))} ms → **${fmt(startRatio, 2)}×** (runs: ${f.startup_aot_runs} / ${f.startup_fat_runs})`,
  '≤ 0.5×', startRatio <= 0.5, `${fmt(startRatio / 0.5, 2)}× the target`);
row(9, 'API RSS after the point-read run', `**${fmt(n('rss_after_point_mb'))} MB** (at start ${fmt(n('rss_start_mb'))} MB)`,
  '≤ 256 MB (absolute)', n('rss_after_point_mb') <= 256, `${fmt(256 - n('rss_after_point_mb'))} MB to spare`);

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
let md = `Run ${when} on ${machine}. Load runs ${f.duration_s} s each after a warm-up; API JVM: \`${f.jvm_opts}\`.\n`;
md += `Load average at the start of each step: point ${f.load_point}; nginx ${f.load_nginx}; export ${f.load_export}; writes ${f.load_writes}; sse ${f.load_sse}; start-up ${f.load_startup}.\n\n`;
md += '| # | figure | measured | target | met |\n| --- | --- | --- | --- | --- |\n';
for (const r of rows) md += `| ${r.id} | ${r.what} | ${r.measured} | ${r.target} | ${r.met ? 'yes' : '**no**'} (${r.margin}) |\n`;
fs.writeFileSync(mdPath, md);
fs.writeFileSync(jsonPath, JSON.stringify({ when, machine, figures: f, results: rows }, null, 2) + '\n');
