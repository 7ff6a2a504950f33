// Checks the objects of one rendered overlay (`kubectl kustomize` output), offline:
//
//   node ci/tests/lib/k8s-check.mjs CHECK RENDERED.yaml [SECRET-FILE…]
//
//   schema     every object validates against the Kubernetes API schema (kubernetes-models, the
//              OpenAPI schema of the API server compiled to validators); every namespaced object
//              is in the overlay's Namespace; every object carries app.kubernetes.io/part-of
//   fields     no field the API does not know, at any depth (the schema check lets unknown fields
//              through, the API server refuses them): each object as a TypeScript literal of
//              kubernetes-models' type for its kind, whose excess-property check tsc runs
//   restricted every pod template meets the restricted Pod Security Standard, spelled out: pod
//              runAsNonRoot, seccomp RuntimeDefault, no service-account token; every container
//              runAsNonRoot, read-only root filesystem, capabilities drop ALL (none added), no
//              privilege escalation, not privileged; no host namespaces, ports or paths
//   resources  every container has CPU and memory requests and limits, request ≤ limit
//   probes     every long-running container has startup, liveness and readiness probes; api's on
//              the actuator groups on 8080, web's on /healthz on 8080
//   secrets    no password, key or token in an env value or envFrom/secretKeyRef: only *_FILE
//              paths under /run/secrets, each mounted from a Secret; no SECRET-FILE's content
//              anywhere in the output in clear; Secrets only where SECRET-FILEs are given (dev);
//              every ConfigMap a pod uses is rendered, every Secret a pod or the Ingress uses is
//              rendered (dev) or one of those the operator creates (docs/SCALING.md)
//
// Prints one line per problem and exits 1 when there is any; prints the number of objects
// (or pod templates) checked otherwise. Needs kubernetes-models and yaml (ci/tests/package.json).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const [check, file, ...secretFiles] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(file, 'utf8'))
  .map((doc) => doc.toJS())
  .filter((o) => o);
// Kustomize folds a long base64 value over several lines; the API server's decoder skips the
// newlines (Go's encoding/base64), the schema's "byte" format does not: unfolded here.
for (const o of objects) {
  if (o.kind === 'Secret' && o.data) for (const k of Object.keys(o.data)) o.data[k] = String(o.data[k]).replace(/\s+/g, '');
}
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const id = (o) => `${o.kind}/${o.metadata?.name}`;

// The pod template of each workload, with its owner's name for messages.
const WORKLOADS = { Deployment: 'spec.template', StatefulSet: 'spec.template', DaemonSet: 'spec.template', Job: 'spec.template', CronJob: 'spec.jobTemplate.spec.template' };
const templates = () =>
  objects
    .filter((o) => WORKLOADS[o.kind])
    .map((o) => ({ owner: o, where: id(o), template: WORKLOADS[o.kind].split('.').reduce((v, k) => v?.[k], o) }));
const containersOf = (spec) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

const NOT_NAMESPACED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass', 'CustomResourceDefinition']);

async function schema() {
  const namespace = objects.find((o) => o.kind === 'Namespace')?.metadata?.name;
  if (!namespace) problem(file, 'no Namespace object');
  for (const o of objects) {
    let Model;
    try {
      ({ [o.kind]: Model } = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`));
    } catch {
      problem(id(o), `unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problem(id(o), e.message);
    }
    if (!NOT_NAMESPACED.has(o.kind) && o.metadata?.namespace !== namespace) problem(id(o), `namespace ${o.metadata?.namespace} instead of ${namespace}`);
    if (o.metadata?.labels?.['app.kubernetes.io/part-of'] !== 'generic-app') problem(id(o), 'no label app.kubernetes.io/part-of=generic-app');
  }
  for (const { where, owner, template } of templates()) {
    const name = template?.metadata?.labels?.['app.kubernetes.io/name'];
    if (!name) problem(where, 'pod template without app.kubernetes.io/name');
    const selector = owner.spec?.selector?.matchLabels;
    if (selector && selector['app.kubernetes.io/name'] !== name) problem(where, 'selector does not match its pod template');
  }
  return objects.length;
}

function fields() {
  const modules = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules');
  const dir = mkdtempSync(join(tmpdir(), 'k8s-fields-'));
  try {
    symlinkSync(modules, join(dir, 'node_modules'));
    const lines = [];
    const owners = [];
    objects.forEach((o, i) => {
      lines.push(`import type { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}';`);
      for (const line of `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`.split('\n')) {
        lines.push(line);
        owners[lines.length] = id(o);
      }
    });
    writeFileSync(join(dir, 'objects.ts'), lines.join('\n'));
    try {
      execFileSync(join(modules, '.bin', 'tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'objects.ts'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      const out = String(e.stdout ?? '') + String(e.stderr ?? '');
      for (const m of out.matchAll(/^objects\.ts\((\d+),\d+\): error TS\d+: (.*)$/gm)) problem(owners[Number(m[1])] ?? file, m[2]);
      if (!problems.length) problem(file, `tsc failed: ${out.slice(0, 500)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return objects.length;
}

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

function restricted() {
  const all = templates();
  for (const { where, template } of all) {
    const spec = template.spec;
    const pod = spec.securityContext ?? {};
    if (spec.automountServiceAccountToken !== false) problem(where, 'automountServiceAccountToken is not false');
    if (pod.runAsNonRoot !== true) problem(where, 'pod securityContext.runAsNonRoot is not true');
    if (pod.runAsUser === 0) problem(where, 'pod runAsUser 0');
    if (pod.seccompProfile?.type !== 'RuntimeDefault') problem(where, 'pod seccompProfile is not RuntimeDefault');
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers']) {
      if (spec[key] === true) problem(where, `${key}: true`);
    }
    for (const v of spec.volumes ?? []) {
      const type = Object.keys(v).find((k) => k !== 'name');
      if (!ALLOWED_VOLUMES.includes(type)) problem(where, `volume ${v.name} of type ${type}`);
    }
    for (const c of containersOf(spec)) {
      const at = `${where} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.runAsNonRoot !== true) problem(at, 'runAsNonRoot is not true');
      if (sc.runAsUser === 0) problem(at, 'runAsUser 0');
      if (sc.readOnlyRootFilesystem !== true) problem(at, 'readOnlyRootFilesystem is not true');
      if (sc.allowPrivilegeEscalation !== false) problem(at, 'allowPrivilegeEscalation is not false');
      if (sc.privileged === true) problem(at, 'privileged');
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problem(at, 'capabilities do not drop ALL');
      if ((sc.capabilities?.add ?? []).length) problem(at, `capabilities added: ${sc.capabilities.add}`);
      if (sc.seccompProfile && sc.seccompProfile.type !== 'RuntimeDefault') problem(at, `seccompProfile ${sc.seccompProfile.type}`);
      if (sc.seLinuxOptions || sc.procMount || sc.appArmorProfile?.type === 'Unconfined') problem(at, 'SELinux, procMount or AppArmor loosened');
      if ((c.ports ?? []).some((p) => p.hostPort)) problem(at, 'hostPort');
    }
  }
  return all.length;
}

function resources() {
  const all = templates();
  for (const { where, template } of all) {
    for (const c of containersOf(template.spec)) {
      const at = `${where} container ${c.name}`;
      for (const kind of ['requests', 'limits']) {
        for (const r of ['cpu', 'memory']) {
          if (c.resources?.[kind]?.[r] === undefined) problem(at, `no ${r} ${kind.slice(0, -1)}`);
        }
      }
      const mem = (q) => {
        const m = /^(\d+)(Mi|Gi)?$/.exec(String(q ?? ''));
        return m ? Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) : NaN;
      };
      if (mem(c.resources?.requests?.memory) > mem(c.resources?.limits?.memory)) problem(at, 'memory request above its limit');
    }
  }
  return all.length;
}

// What each app's probes must ask; port 8080 either as a number or as a named container port.
const PROBES = {
  api: { startupProbe: '/actuator/health/liveness', livenessProbe: '/actuator/health/liveness', readinessProbe: '/actuator/health/readiness' },
  web: { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/healthz' },
};

function probes() {
  const all = templates().filter(({ owner }) => owner.kind !== 'Job' && owner.kind !== 'CronJob');
  const seen = new Set();
  for (const { where, template } of all) {
    const app = template.metadata?.labels?.['app.kubernetes.io/name'];
    seen.add(app);
    for (const c of template.spec.containers ?? []) {
      const at = `${where} container ${c.name}`;
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const p = c[probe];
        if (!p) {
          problem(at, `no ${probe}`);
          continue;
        }
        const want = PROBES[app]?.[probe];
        if (!want) continue;
        const port = typeof p.httpGet?.port === 'string' ? c.ports?.find((cp) => cp.name === p.httpGet.port)?.containerPort : p.httpGet?.port;
        if (p.httpGet?.path !== want || port !== 8080) problem(at, `${probe} asks ${p.httpGet?.path ?? '(not HTTP)'} on ${port}, not ${want} on 8080`);
      }
    }
  }
  for (const app of Object.keys(PROBES)) if (!seen.has(app)) problem(file, `no pod template for ${app}`);
  return all.length;
}

// The Secrets prod's operator creates (overlays/prod/kustomization.yaml, docs/SCALING.md), and the
// workflow's kind job for ci (which adds the in-cluster database's superuser).
const OPERATOR_SECRETS = new Set(['db-owner-password', 'db-app-password', 'admin-password', 'web-tls', 'db-superuser-password']);

const SECRETISH = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|(^|_)KEY($|_)/;

function secrets() {
  const all = templates();
  for (const { where, template } of all) {
    const spec = template.spec;
    const secretVolumes = new Set(
      (spec.volumes ?? []).filter((v) => v.secret || v.projected?.sources?.every((s) => s.secret)).map((v) => v.name),
    );
    for (const c of containersOf(spec)) {
      const at = `${where} container ${c.name}`;
      for (const from of c.envFrom ?? []) if (from.secretRef) problem(at, `envFrom Secret ${from.secretRef.name}: secrets as environment`);
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) problem(at, `env ${e.name} from a Secret: secrets go in files`);
        if (!SECRETISH.test(e.name)) continue;
        if (!e.name.endsWith('_FILE') && !/^TLS_CERTIFICATE(_KEY)?$/.test(e.name)) {
          problem(at, `env ${e.name} holds a value (${e.value === undefined ? 'from elsewhere' : 'inline'}): a secret goes in a file`);
          continue;
        }
        const mount = (c.volumeMounts ?? []).find((m) => e.value?.startsWith(m.mountPath + '/'));
        if (!e.value?.startsWith('/run/secrets/') || !mount || !secretVolumes.has(mount.name)) problem(at, `env ${e.name}=${e.value} is not a file mounted from a Secret`);
      }
    }
  }
  const text = readFileSync(file, 'utf8');
  const found = objects.filter((o) => o.kind === 'Secret');
  if (secretFiles.length === 0) {
    for (const s of found) problem(id(s), 'a Secret in an overlay that should have none (made by the operator)');
  }
  for (const f of secretFiles) {
    const value = readFileSync(f, 'utf8').trim();
    if (text.includes(value)) problem(f, 'its content appears in clear in the rendered output');
    const b64 = Buffer.from(readFileSync(f)).toString('base64');
    if (!found.some((s) => Object.values(s.data ?? {}).includes(b64))) problem(f, 'no Secret carries it: the generator did not read the file');
  }
  for (const s of found) if (s.stringData) problem(id(s), 'stringData: a value in clear');

  const rendered = (kind) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const configMaps = rendered('ConfigMap');
  const secretNames = secretFiles.length ? rendered('Secret') : OPERATOR_SECRETS;
  for (const { where, template } of all) {
    const spec = template.spec;
    const used = { ConfigMap: [], Secret: [] };
    for (const v of spec.volumes ?? []) {
      if (v.configMap) used.ConfigMap.push(v.configMap.name);
      if (v.secret) used.Secret.push(v.secret.secretName);
      for (const src of v.projected?.sources ?? []) {
        if (src.configMap) used.ConfigMap.push(src.configMap.name);
        if (src.secret) used.Secret.push(src.secret.name);
      }
    }
    for (const c of containersOf(spec)) for (const from of c.envFrom ?? []) if (from.configMapRef) used.ConfigMap.push(from.configMapRef.name);
    for (const name of used.ConfigMap) if (!configMaps.has(name)) problem(where, `ConfigMap ${name} is not rendered`);
    for (const name of used.Secret) if (!secretNames.has(name)) problem(where, `Secret ${name} is neither rendered nor one the operator creates`);
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const t of ing.spec?.tls ?? []) if (!secretNames.has(t.secretName)) problem(id(ing), `TLS Secret ${t.secretName} is neither rendered nor one the operator creates`);
  }
  return all.length;
}

const CHECKS = { schema, fields, restricted, resources, probes, secrets };
if (!CHECKS[check] || !file) {
  console.error(`usage: node ci/tests/lib/k8s-check.mjs {${Object.keys(CHECKS).join('|')}} RENDERED.yaml [SECRET-FILE…]`);
  process.exit(2);
}
const count = await CHECKS[check]();
if (problems.length) {
  for (const p of problems) console.log(p);
  process.exit(1);
}
console.log(count);
