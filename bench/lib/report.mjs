// Turns bench/run's figures (name<TAB>value lines) into the results: a Markdown table, JSON, an SVG
// chart (each figure against its target, the API against the MVC peer), and one line appended to
// a history, from which the table shows each figure's spread over the last three full runs.
//   node report.mjs figures.tsv latest.md latest.json latest.svg history.jsonl
import fs from 'node:fs';
import os from 'node:os';

const [tsv, mdPath, jsonPath, svgPath, historyPath] = process.argv.slice(2);
const f = {};
for (const line of fs.readFileSync(tsv, 'utf8').split('\n')) {
  const tab = line.indexOf('\t');
  if (tab > 0) f[line.slice(0, tab)] = line.slice(tab + 1);
}
const n = (k) => (f[k] === undefined || f[k] === '' ? NaN : Number(f[k]));
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const ratio = (a, b) => n(a) / n(b);
const quick = f.quick === '1';

// Each row judges one figure (value) against its target (at least / at most `target`); `valid`
// holds the conditions under which the figure counts at all (no errors, everything delivered...).
// Never a row count the warm-up happened to leave: the export is judged on its rate, over at least
// the rows loaded.
const rows = [];
function row({ id, short, what, measured, value, unit = '×', digits = 2, atLeast, atMost, valid = true, why = '' }) {
  const target = atLeast ?? atMost;
  const measuredOk = Number.isFinite(value);
  const score = !measuredOk ? NaN : atLeast !== undefined ? value / atLeast : atMost / value;
  const met = measuredOk && valid && score >= 1;
  const targetText = `${atLeast !== undefined ? '≥' : '≤'} ${unit === '×' ? `${target}×` : `${fmt(target, Number.isInteger(target) ? 0 : 1)} ${unit}`}`;
  rows.push({ id, short, what, measured, value, unit, digits, target, targetText, direction: atLeast !== undefined ? 'at least' : 'at most', score, met, why: !measuredOk ? 'not measured' : !valid ? why : '' });
}

row({
  id: '1', short: 'point read ÷ MVC peer', what: 'Point read, 32 conns, direct, against the MVC peer (3 interleaved rounds, means; ours signed in, the peer without a session)',
  measured: `${fmt(n('point_ours_rps'))} / ${fmt(n('point_peer_rps'))} rps (p99 ${fmt(n('point_ours_p99'), 1)} / ${fmt(n('point_peer_p99'), 1)} ms) → **${fmt(ratio('point_ours_rps', 'point_peer_rps'), 2)}×**`,
  value: ratio('point_ours_rps', 'point_peer_rps'), atLeast: 1.3,
  valid: n('point_ours_errors') === 0 && n('point_peer_errors') === 0, why: 'errors',
});
row({
  id: '1b', short: 'point read ÷ pgbench -S', what: 'Point read, 32 conns, direct, against `pgbench -S -M prepared`, 32 clients',
  measured: `${fmt(n('point_rps'))} rps, p50 ${fmt(n('point_p50'), 2)} ms, p99 ${fmt(n('point_p99'), 2)} ms, ${fmt(n('point_errors'))} errors; pgbench -S ${fmt(n('pgbench_select_tps'))} tps, same SELECT on items ${fmt(n('pgbench_items_read_tps'))} tps → **${fmt(ratio('point_rps', 'pgbench_select_tps'), 2)}×** (${fmt(ratio('point_rps', 'pgbench_items_read_tps'), 2)}× of the items SELECT)`,
  value: ratio('point_rps', 'pgbench_select_tps'), atLeast: 0.35, valid: n('point_errors') === 0, why: 'errors',
});
row({
  id: '2', short: 'list of 100 ÷ MVC peer', what: 'List `?limit=100`, 32 conns, direct, against the MVC peer (3 interleaved rounds, means)',
  measured: `${fmt(n('list_ours_rps'))} / ${fmt(n('list_peer_rps'))} rps (p99 ${fmt(n('list_ours_p99'), 1)} / ${fmt(n('list_peer_p99'), 1)} ms) → **${fmt(ratio('list_ours_rps', 'list_peer_rps'), 2)}×**; alone: ${fmt(n('list_rps'))} rps`,
  value: ratio('list_ours_rps', 'list_peer_rps'), atLeast: 3,
  valid: n('list_ours_errors') === 0 && n('list_peer_errors') === 0, why: 'errors',
});
row({
  id: '3', short: 'Nginx ÷ direct', what: 'Point read through Nginx / direct (3 interleaved pairs, means)',
  measured: `${fmt(n('point_nginx_rps'))} / ${fmt(n('point_direct2_rps'))} rps (p99 ${fmt(n('point_nginx_p99'), 1)} / ${fmt(n('point_direct2_p99'), 1)} ms) → **${fmt(ratio('point_nginx_rps', 'point_direct2_rps'), 2)}×**`,
  value: ratio('point_nginx_rps', 'point_direct2_rps'), atLeast: 0.85, valid: n('point_nginx_errors') === 0, why: 'errors',
});
row({
  id: '4a', short: 'export, rows/s', what: `NDJSON export of every row through Nginx (${fmt(n('rows_loaded'))} loaded, plus the warm-up's creates)`,
  measured: `${fmt(n('export_all_rows'))} rows in ${fmt(n('export_all_seconds'), 2)} s → **${fmt(n('export_all_rows_per_s'))} rows/s** (100k: ${fmt(n('export_100k_rows_per_s'))} rows/s)`,
  value: n('export_all_rows_per_s'), unit: 'rows/s', digits: 0, atLeast: 1000000,
  valid: n('export_all_rows') >= n('rows_loaded'), why: 'fewer rows than loaded',
});
const rssSlack = 16;
row({
  id: '4b', short: 'export memory growth', what: `Export memory: API RSS growth (peak − before), all rows against 100k (+${rssSlack} MB noise)`,
  measured: `100k rows: +${fmt(n('export_100k_rss_delta_mb'))} MB; all rows: +${fmt(n('export_all_rss_delta_mb'))} MB`,
  value: Math.max(1, n('export_all_rss_delta_mb')), unit: 'MB', digits: 0, atMost: Math.max(1, n('export_100k_rss_delta_mb') + rssSlack),
});
row({
  id: '5', short: 'create ÷ pgbench INSERT', what: 'Create `POST /api/items`, 32 conns, direct, against pgbench `INSERT … RETURNING`, 32 clients',
  measured: `${fmt(n('create_rps'))} rps (p99 ${fmt(n('create_p99'), 1)} ms, ${fmt(n('create_errors'))} errors); pgbench ${fmt(n('pgbench_insert_tps'))} tps → **${fmt(ratio('create_rps', 'pgbench_insert_tps'), 2)}×**`,
  value: ratio('create_rps', 'pgbench_insert_tps'), atLeast: 0.9, valid: n('create_errors') === 0, why: 'errors',
});
row({
  id: '6', short: 'search p95', what: `Search \`q=\` over ${fmt(n('rows_loaded'))} rows, 8 conns, direct`,
  measured: `p95 **${fmt(n('search_p95'), 1)} ms** (p50 ${fmt(n('search_p50'), 1)}, p99 ${fmt(n('search_p99'), 1)}), ${fmt(n('search_rps'))} rps, ${fmt(n('search_errors'))} errors`,
  value: n('search_p95'), unit: 'ms', digits: 1, atMost: 25, valid: n('search_errors') === 0, why: 'errors',
});
const sseTarget = 10000;
const sseRow = (id, key, label) => {
  const k = (name) => n(`${key}_${name}`);
  const changes = Number.isFinite(k('changes')) ? k('changes') : 20;
  const interval = Number.isFinite(k('interval_ms')) ? k('interval_ms') : 200;
  row({
    id, short: label, what: `SSE through Nginx: ${fmt(n('sse_subscribers'))} subscribers over ${fmt(n('sse_replicas') || 1)} API replica(s), ${fmt(changes)} changes ${fmt(interval)} ms apart (target: ${fmt(sseTarget)} subscribers, all connected, all delivered)`,
    measured: `${fmt(k('connected'))} connected, ${fmt(k('received'))}/${fmt(k('expected'))} events; p50 ${fmt(k('p50'), 1)} ms, p99 **${fmt(k('p99'), 1)} ms**, max ${fmt(k('max'), 1)} ms${k('nginx_peak_rss_mb') ? `; Nginx workers' RSS at most ${fmt(k('nginx_peak_rss_mb'))} MB` : ''}${Number.isFinite(k('cpu_api_s')) ? `; CPU s: API ${fmt(k('cpu_api_s'))}, Nginx ${fmt(k('cpu_nginx_s'))}, probe ${fmt(k('cpu_probe_s'))}, in ${fmt(k('seconds'))} s` : ''}`,
    value: k('p99'), unit: 'ms', digits: 0, atMost: 500,
    valid: n('sse_subscribers') >= sseTarget && k('connected') === n('sse_subscribers') && k('received') === k('expected'),
    why: n('sse_subscribers') < sseTarget ? `only ${fmt(n('sse_subscribers'))} subscribers measured` : 'not all connected or delivered',
  });
};
sseRow('7', 'sse', 'SSE p99');
if (Number.isFinite(n('sse_burst_p99'))) sseRow('7b', 'sse_burst', 'SSE p99, 5 changes/s');
row({
  id: '8', short: 'RSS after load', what: 'API RSS after the point-read run', measured: `**${fmt(n('rss_after_point_mb'))} MB** (at start ${fmt(n('rss_start_mb'))} MB; the peer after its rounds ${fmt(n('peer_rss_mb'))} MB)`,
  value: n('rss_after_point_mb'), unit: 'MB', digits: 0, atMost: 256,
});
row({
  id: '9', short: 'start-up AOT ÷ fat jar', what: 'Start-up to readiness UP, JDK 25, extracted + AOT cache / fat jar (median)',
  measured: `${fmt(n('startup_aot_ms'))} ms / ${fmt(n('startup_fat_ms'))} ms → **${fmt(ratio('startup_aot_ms', 'startup_fat_ms'), 2)}×** (runs: ${f.startup_aot_runs} / ${f.startup_fat_runs})`,
  value: ratio('startup_aot_ms', 'startup_fat_ms'), atMost: 0.4,
});

// History: one line per run; the spread is over the last three full runs (quick runs excluded).
const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const values = Object.fromEntries(rows.map((r) => [r.id, Number.isFinite(r.value) ? r.value : null]));
let history = [];
if (historyPath) {
  if (fs.existsSync(historyPath)) {
    history = fs.readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
  fs.appendFileSync(historyPath, JSON.stringify({ when, quick, values }) + '\n');
  history.push({ when, quick, values });
}
const lastFull = history.filter((h) => !h.quick).slice(-3);
for (const r of rows) {
  const seen = lastFull.map((h) => h.values[r.id]).filter((v) => Number.isFinite(v));
  r.spread = quick || seen.length < 2 ? null : { runs: seen.length, min: Math.min(...seen), max: Math.max(...seen) };
}
// A ratio that rounds onto its target gets a third digit: 0.8465 judged against ≥ 0.85 reads
// 0.846×, not a "0.85× — no" that contradicts itself.
const ratioDigits = (r, v) => (Number(v.toFixed(2)) === r.target && v !== r.target ? 3 : 2);
const valueText = (r, v) => (r.unit === '×' ? `${fmt(v, ratioDigits(r, v))}×` : `${fmt(v, r.digits)} ${r.unit}`);
for (const r of rows) {
  if (r.unit === '×' && Number.isFinite(r.value) && ratioDigits(r, r.value) === 3) {
    r.measured = r.measured.replace(`**${fmt(r.value, 2)}×**`, `**${fmt(r.value, 3)}×**`);
  }
}

// ---------------------------------------------------------------- Markdown and JSON
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
let md = quick ? `**Quick run** (\`bench/run --quick\`: ${fmt(n('rows_loaded'))} rows, ${f.duration_s} s runs, short warm-up): a check that the suite works; the figures are not comparable.\n\n` : '';
md += `Run ${when} on ${machine}. Load runs ${f.duration_s} s each after a warm-up; API and peer JVM: \`${f.jvm_opts}\`; the API's Netty transport: ${f.api_transport ?? 'n/a'}.\n`;
md += `Load average at the start of each step: point ${f.load_point}; peer ${f.load_peer}; nginx ${f.load_nginx}; export ${f.load_export}; writes ${f.load_writes}; sse ${f.load_sse}; start-up ${f.load_startup}.\n\n`;
md += '| # | figure | measured | target | met | spread, last 3 full runs |\n| --- | --- | --- | --- | --- | --- |\n';
for (const r of rows) {
  const met = r.met ? 'yes' : `**no**${r.why ? ` (${r.why})` : ''}`;
  const spread = r.spread ? `${valueText(r, r.spread.min)} – ${valueText(r, r.spread.max)} (${r.spread.runs} runs)` : '—';
  md += `| ${r.id} | ${r.what} | ${r.measured} | ${r.targetText} | ${met} | ${spread} |\n`;
}
fs.writeFileSync(mdPath, md);
fs.writeFileSync(jsonPath, JSON.stringify({ when, machine, quick, figures: f, results: rows }, null, 2) + '\n');

// ---------------------------------------------------------------- SVG chart
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const W = 1040, left = 200, barW = 380, rowH = 30;
const maxScore = 2; // a figure twice as good as its target fills the bar
const x = (score) => left + (Math.min(Math.max(score, 0), maxScore) / maxScore) * barW;
const out = [];
let y = 0;
const text = (tx, ty, s, attrs = '') => out.push(`<text x="${tx}" y="${ty}" ${attrs}>${esc(s)}</text>`);

y += 28;
text(16, y, `generic-app bench/run — ${when}${quick ? ' (quick run: not comparable)' : ''}`, 'class="title"');
y += 18;
text(16, y, `${machine}; load average at the point-read step ${f.load_point ?? 'n/a'}; API transport ${f.api_transport ?? 'n/a'}`, 'class="note"');
y += 30;
text(16, y, 'Each figure against its target (the dashed line)', 'class="head"');
y += 16;
text(16, y, 'bar = figure ÷ target (target ÷ figure for an upper bound), 2× better fills it; black line: spread over the last 3 full runs', 'class="note"');
y += 4;
const top1 = y;
for (const r of rows) {
  y += rowH;
  const score = Number.isFinite(r.score) ? r.score : 0;
  text(left - 10, y - 9, r.short, 'class="label" text-anchor="end"');
  out.push(`<rect x="${left}" y="${y - 22}" width="${barW}" height="18" class="track"/>`);
  out.push(`<rect x="${left}" y="${y - 22}" width="${(x(score) - left).toFixed(1)}" height="18" class="${r.met ? 'met' : 'missed'}"><title>${esc(r.what)}</title></rect>`);
  if (r.spread) {
    const a = r.direction === 'at least' ? r.spread.min / r.target : r.target / r.spread.max;
    const b = r.direction === 'at least' ? r.spread.max / r.target : r.target / r.spread.min;
    out.push(`<line x1="${x(a).toFixed(1)}" x2="${x(b).toFixed(1)}" y1="${y - 13}" y2="${y - 13}" class="spread"/>`);
  }
  const shown = Number.isFinite(r.value) ? valueText(r, r.value) : 'not measured';
  text(left + barW + 10, y - 9, `${shown}  (target ${r.targetText})${r.met ? '' : r.why ? ` — no: ${r.why}` : ' — no'}`, `class="value${r.met ? '' : ' bad'}"`);
}
out.push(`<line x1="${x(1)}" x2="${x(1)}" y1="${top1 + 4}" y2="${y + 2}" class="target"/>`);
y += 16;
text(x(1), y, 'target', 'class="note" text-anchor="middle"');
text(x(2), y, '2× better', 'class="note" text-anchor="end"');
text(left, y, '0', 'class="note"');

// Ours against the peer: requests per second, side by side.
y += 34;
text(16, y, 'Ours (WebFlux + R2DBC, signed in) against the MVC peer (MVC + JDBC on virtual threads, no session): requests/s', 'class="head"');
y += 8;
const pairsShown = [
  ['point read', 'point_ours', 'point_peer'],
  ['list of 100', 'list_ours', 'list_peer'],
];
const maxRps = Math.max(1, ...pairsShown.flatMap(([, a, b]) => [n(`${a}_rps`), n(`${b}_rps`)]).filter(Number.isFinite));
for (const [label, ours, peer] of pairsShown) {
  for (const [who, key, cls] of [['ours', ours, 'ours'], ['peer', peer, 'peer']]) {
    y += 24;
    const rps = n(`${key}_rps`);
    const w = Number.isFinite(rps) ? (rps / maxRps) * barW : 0;
    text(left - 10, y - 6, `${label}, ${who}`, 'class="label" text-anchor="end"');
    out.push(`<rect x="${left}" y="${y - 19}" width="${w.toFixed(1)}" height="16" class="${cls}"/>`);
    text(left + w + 8, y - 6, `${fmt(rps)} rps, p99 ${fmt(n(`${key}_p99`), 1)} ms`, 'class="value"');
  }
  y += 6;
}
y += 22;
text(16, y, 'Figures from one run of bench/run on a shared 2-core machine: ratios within the run compare; absolute figures move with the load.', 'class="note"');
y += 14;

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" role="img" aria-label="bench/run results">
<style>
  text { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; font-size: 12px; fill: #1f2328; }
  .title { font-size: 16px; font-weight: 600; }
  .head { font-size: 13px; font-weight: 600; }
  .note { font-size: 11px; fill: #656d76; }
  .label { font-size: 12px; }
  .value { font-size: 12px; }
  .bad { fill: #b42318; }
  .track { fill: #f0f1f3; }
  .met { fill: #2da44e; }
  .missed { fill: #e5534b; }
  .ours { fill: #0969da; }
  .peer { fill: #8c959f; }
  .target { stroke: #1f2328; stroke-width: 1.5; stroke-dasharray: 4 3; }
  .spread { stroke: #1f2328; stroke-width: 2; }
</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${out.join('\n')}
</svg>
`;
if (svgPath) fs.writeFileSync(svgPath, svg);
