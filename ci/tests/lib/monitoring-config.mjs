// The committed Prometheus configuration, made to run on loopback (ci/tests/monitoring.bats):
//
//   node ci/tests/lib/monitoring-config.mjs --config monitoring/prometheus/prometheus.yml \
//     --rules DIR --interval 2s --mountpoint /srv --map HOST:PORT=ADDRESS[,ADDRESS…]… > rig.yml
//
// Everything is kept (jobs, metrics paths, params, relabelling, rule files, the Alertmanager)
// except what names a compose service:
//   - every job's static_configs and dns_sd_configs target (dns_sd: each name × its port) is
//     replaced by the loopback ADDRESSes --map gives for HOST:PORT, as static_configs;
//   - a relabelling `replacement` that is a mapped HOST:PORT (the blackbox exporter's) is mapped;
//   - the Alertmanager target is mapped;
//   - rule_files point at DIR (the committed rules, by absolute path);
//   - the db-volume job keeps the rig's data folder's mount point (--mountpoint) instead of
//     /data/db, where compose mounts the volume;
//   - scrape and evaluation intervals become --interval, so a short run has enough samples.
// A target without a --map entry fails: the rig must run everything the committed file scrapes.
//
//   node ci/tests/lib/monitoring-config.mjs --config monitoring/prometheus/prometheus.yml \
//     --jobs api --interval 2s > docker.yml
//
// With --jobs: only those jobs, exactly as committed (Docker's DNS discovery included), no rule
// files and no Alertmanager: what the suite runs in a container beside stand-in replicas.
// --fallback-protocol P sets those jobs' fallback_scrape_protocol: the stand-ins' busybox httpd
// sends no Content-Type, which Prometheus 3 refuses without one (the API sends its own).
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const args = process.argv.slice(2);
const opts = { map: new Map() };
while (args.length) {
  const key = args.shift().replace(/^--/, '');
  const value = args.shift();
  if (key === 'map') {
    const [from, to] = value.split('=');
    opts.map.set(from, to.split(','));
  } else opts[key] = value;
}
if (opts.jobs) {
  const config = parse(readFileSync(opts.config, 'utf8'));
  const jobs = opts.jobs.split(',');
  config.global = { ...config.global, scrape_interval: opts.interval ?? config.global?.scrape_interval };
  delete config.rule_files;
  delete config.alerting;
  config.scrape_configs = config.scrape_configs.filter((job) => jobs.includes(job.job_name));
  if (config.scrape_configs.length !== jobs.length) {
    console.error(`monitoring-config.mjs: not every job of ${opts.jobs} is in ${opts.config}`);
    process.exit(1);
  }
  if (opts['fallback-protocol']) {
    for (const job of config.scrape_configs) job.fallback_scrape_protocol = opts['fallback-protocol'];
  }
  process.stdout.write(stringify(config));
  process.exit(0);
}
for (const required of ['config', 'rules', 'interval', 'mountpoint']) {
  if (!opts[required]) {
    console.error(`monitoring-config.mjs: --${required} is required`);
    process.exit(2);
  }
}
const config = parse(readFileSync(opts.config, 'utf8'));
const mapped = (target, where) => {
  const to = opts.map.get(target);
  if (!to) {
    console.error(`monitoring-config.mjs: ${where}: no --map for ${target}`);
    process.exit(1);
  }
  return to;
};

config.global = { ...config.global, scrape_interval: opts.interval, evaluation_interval: opts.interval };
config.rule_files = (config.rule_files ?? []).map((file) => `${opts.rules}/${file.split('/').pop()}`);
for (const am of config.alerting?.alertmanagers ?? []) {
  for (const sc of am.static_configs ?? []) sc.targets = sc.targets.flatMap((t) => mapped(t, 'alertmanager'));
}
for (const job of config.scrape_configs) {
  const targets = [];
  for (const sc of job.static_configs ?? []) targets.push(...sc.targets.flatMap((t) => mapped(t, job.job_name)));
  for (const dns of job.dns_sd_configs ?? []) {
    if (dns.type !== 'A' || !dns.port) {
      console.error(`monitoring-config.mjs: ${job.job_name}: only dns_sd_configs of type A with a port are understood`);
      process.exit(1);
    }
    for (const name of dns.names) targets.push(...mapped(`${name}:${dns.port}`, job.job_name));
  }
  delete job.dns_sd_configs;
  job.static_configs = [{ targets }];
  for (const relabel of job.relabel_configs ?? []) {
    if (relabel.replacement && opts.map.has(relabel.replacement)) relabel.replacement = mapped(relabel.replacement, job.job_name)[0];
  }
  for (const relabel of job.metric_relabel_configs ?? []) {
    if (job.job_name === 'db-volume' && relabel.source_labels?.includes('mountpoint')) {
      relabel.regex = String(relabel.regex).replace('/data/db', opts.mountpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    }
  }
}
process.stdout.write(stringify(config));
