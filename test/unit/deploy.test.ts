// deploy/ checked without a cluster: every manifest parses, the Deployments set only variables
// config/env.ts reads and every one it requires, probes hit routes a real gateway and worker
// serve, and the Grafana dashboard queries only metrics a real gateway exports. Also: the Redis
// settings README's durability guarantee needs are the ones compose and the crash test use.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ConfigError, EnvSchema, loadConfig } from '../../config/env';
import { createWorkerOpsApp } from '../../services/http/worker-ops-app';
import { exposedSampleNames, promqlLabelNames, promqlMetricNames } from '../support/promql';
import { DURABLE_REDIS_ARGS } from '../support/redis-server';
import { TEST_SECRETS } from '../support/test-config';
import { type TestGateway, startTestGateway } from '../support/test-gateway';

const ROOT = resolve(__dirname, '../..');
const DEPLOY = resolve(ROOT, 'deploy');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

interface Probe { httpGet: { path: string; port: string } }
interface Container {
  name: string;
  image: string;
  command: string[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe: Probe;
  livenessProbe: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    terminationGracePeriodSeconds: number;
    automountServiceAccountToken: boolean;
    securityContext: { runAsNonRoot: boolean; runAsUser: number };
    containers: Container[];
  };
}
interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { selector: { matchLabels?: Record<string, string> } & Record<string, string>; template: PodTemplate; ports: { targetPort: string }[] };
}
interface Kustomization {
  resources: string[];
  configMapGenerator: { name: string; literals: string[] }[];
  secretGenerator: { name: string; envs: string[] }[];
}

const yamlFiles = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml')).sort();
const parsed = yamlFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(resolve(DEPLOY, file), 'utf8')).map((d) => ({ file, errors: d.errors, value: d.toJS() as Record<string, unknown> })),
);
const kustomization = parsed.find((d) => d.file === 'kustomization.yaml')!.value as unknown as Kustomization;
const manifests = parsed.filter((d) => d.file !== 'kustomization.yaml').map((d) => ({ file: d.file, ...d.value }) as unknown as Manifest);
const deployment = (name: string) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!;
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const container = (m: Manifest) => m.spec.template.spec.containers[0]!;

const configMapData = Object.fromEntries(
  kustomization.configMapGenerator[0]!.literals.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const secretExample = parseEnv(read('deploy/secret.env.example'));
const filledSecrets = { ...TEST_SECRETS, PLATFORM_CALLBACK_URL: 'https://platform.internal/fedigate/callbacks' };

/** Every variable a container gets, by the ConfigMap or Secret it names or by env. */
function providedVariables(c: Container): string[] {
  const names = (c.env ?? []).map((e) => e.name);
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      expect(kustomization.configMapGenerator.map((g) => g.name)).toContain(from.configMapRef.name);
      names.push(...Object.keys(configMapData));
    }
    if (from.secretRef) {
      expect(kustomization.secretGenerator.map((g) => g.name)).toContain(from.secretRef.name);
      names.push(...Object.keys(secretExample));
    }
  }
  return names;
}

let tg: TestGateway;
beforeAll(async () => {
  tg = await startTestGateway();
});
afterAll(() => tg.close());

test('every YAML file parses into Kubernetes objects, and the kustomization lists each once', () => {
  expect(parsed.flatMap((d) => d.errors)).toEqual([]);
  for (const m of manifests) {
    expect([m.file, typeof m.apiVersion, typeof m.kind, typeof m.metadata?.name]).toEqual([m.file, 'string', 'string', 'string']);
  }
  expect([...kustomization.resources].sort()).toEqual(yamlFiles.filter((f) => f !== 'kustomization.yaml'));
  expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
    'Deployment/fedigate-gateway', 'Deployment/fedigate-worker', 'PodDisruptionBudget/fedigate-gateway',
    'PodDisruptionBudget/fedigate-worker', 'Service/fedigate-gateway',
  ]);
});

test('the Deployments set only variables config/env.ts reads, and every one it requires', () => {
  const schemaKeys = Object.keys(EnvSchema.shape);
  const required = Object.entries(EnvSchema.shape).filter(([, s]) => !s.isOptional()).map(([k]) => k).sort();
  expect(required).toEqual(['ADMIN_TOKEN', 'PLATFORM_API_TOKEN', 'PLATFORM_CALLBACK_SECRET', 'PLATFORM_CALLBACK_URL', 'PLATFORM_WEBHOOK_SECRET']);
  for (const d of deployments) {
    const provided = providedVariables(container(d));
    expect(provided.filter((n) => !schemaKeys.includes(n))).toEqual([]);
    expect(required.filter((n) => !provided.includes(n))).toEqual([]);
  }
  // Secrets stay out of the ConfigMap.
  expect(Object.keys(configMapData).filter((k) => k in secretExample)).toEqual([]);
});

test('the ConfigMap values are valid; the example leaves exactly the secrets to fill, and git ignores them', () => {
  let problems: string[] = [];
  try {
    loadConfig({ ...configMapData, ...secretExample });
  } catch (e) {
    problems = (e as ConfigError).problems;
  }
  expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(Object.keys(secretExample).sort());
  const config = loadConfig({ ...configMapData, ...filledSecrets });
  const [gateway, worker] = [container(deployment('fedigate-gateway')), container(deployment('fedigate-worker'))];
  expect(gateway.ports.find((p) => p.name === 'http')!.containerPort).toBe(config.port);
  expect(worker.ports.find((p) => p.name === 'ops')!.containerPort).toBe(config.workerOpsPort);
  expect(deployment('fedigate-gateway').spec.template.metadata.annotations!['prometheus.io/port']).toBe(String(config.port));
  expect(deployment('fedigate-worker').spec.template.metadata.annotations!['prometheus.io/port']).toBe(String(config.workerOpsPort));
  expect(kustomization.secretGenerator[0]!.envs).toEqual(['secret.env']);
  expect(read('deploy/.gitignore').split('\n')).toContain('secret.env');
});

test('both Deployments run the Dockerfile image with the package.json start commands', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const [gateway, worker] = [container(deployment('fedigate-gateway')), container(deployment('fedigate-worker'))];
  expect(gateway.image).toBe(worker.image);
  expect(gateway.command.join(' ')).toBe(scripts['start:gateway']);
  expect(worker.command.join(' ')).toBe(scripts['start:worker']);
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))![1]!;
  expect((JSON.parse(cmd) as string[]).slice(0, 2)).toEqual(gateway.command.slice(0, 2));
});

test("probes hit routes a real gateway and a real worker's ops listener answer 200", async () => {
  const worker = createServer(createWorkerOpsApp(tg.g));
  await new Promise<void>((r) => worker.listen(0, '127.0.0.1', r));
  const bases = { 'fedigate-gateway': tg.url, 'fedigate-worker': `http://127.0.0.1:${(worker.address() as AddressInfo).port}` };
  try {
    for (const [name, base] of Object.entries(bases)) {
      const c = container(deployment(name));
      const probes = [c.startupProbe, c.readinessProbe, c.livenessProbe].filter((p): p is Probe => p !== undefined);
      expect(probes.map((p) => p.httpGet.path).sort()).toEqual(['/healthz', '/healthz', '/readyz']);
      for (const p of probes) {
        expect(c.ports.map((port) => port.name)).toContain(p.httpGet.port);
        expect([p.httpGet.path, (await fetch(base + p.httpGet.path)).status]).toEqual([p.httpGet.path, 200]);
      }
    }
  } finally {
    worker.close();
  }
});

test('the Service reaches gateway pods only; each PodDisruptionBudget selects its Deployment', () => {
  const [gateway, worker] = [deployment('fedigate-gateway'), deployment('fedigate-worker')];
  const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const service = manifests.find((m) => m.kind === 'Service')!;
  expect(selects(service.spec.selector, gateway.spec.template.metadata.labels)).toBe(true);
  expect(selects(service.spec.selector, worker.spec.template.metadata.labels)).toBe(false);
  expect(container(gateway).ports.map((p) => p.name)).toContain(service.spec.ports[0]!.targetPort);
  for (const d of deployments) {
    expect(selects(d.spec.selector.matchLabels!, d.spec.template.metadata.labels)).toBe(true);
    const pdb = manifests.find((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === d.metadata.name)!;
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
  }
});

test('the grace period outlasts the preStop sleep plus the shutdown deadline in services/main.ts', () => {
  const deadlineMs = Number(/const SHUTDOWN_DEADLINE_MS = ([\d_]+);/.exec(read('services/main.ts'))![1]!.replace(/_/g, ''));
  expect(deadlineMs).toBe(30_000);
  for (const d of deployments) {
    const preStop = container(d).lifecycle?.preStop?.exec?.command;
    const sleepSeconds = preStop ? Number(preStop[1]) : 0;
    if (preStop) expect(preStop[0]).toBe('sleep');
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(sleepSeconds + deadlineMs / 1000);
  }
  // Only the gateway has endpoints to leave before it stops accepting connections.
  expect(container(deployment('fedigate-gateway')).lifecycle?.preStop?.exec?.command[0]).toBe('sleep');
});

test('pods run as the image user (non-root, numeric), on a read-only root, with requests and a memory limit', () => {
  expect(read('Dockerfile')).toMatch(/^USER node$/m); // uid 1000 in the official node images
  for (const d of deployments) {
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = container(d);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(Object.keys(c.resources.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(c.resources.limits?.memory).toMatch(/^\d+Mi$/);
  }
});

interface Dashboard { templating: { list: { name: string }[] }; panels: { id: number; type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[] }
const dashboard = JSON.parse(read('deploy/grafana/fedigate-dashboard.json')) as Dashboard;
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

test('PromQL names are read apart from functions, strings, matchers and grouping', () => {
  const expr = 'histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket{job=~"$job", x="b_total{"}[$__rate_interval]))) / on (job) sum(c_total) and d';
  expect(promqlMetricNames(expr)).toEqual(['a_seconds_bucket', 'c_total', 'd']);
  expect(promqlLabelNames(expr)).toEqual(['job', 'le', 'x']);
});

test('every metric the dashboard queries is one a started gateway exports, with labels it has', async () => {
  const scrape = await (await fetch(`${tg.url}/metrics`)).text();
  const exposed = exposedSampleNames(scrape);
  const used = [...new Set(queries.flatMap(promqlMetricNames))].sort();
  expect(used.filter((n) => !exposed.has(n))).toEqual([]);
  for (const name of ['fedigate_queue_jobs', 'fedigate_deliveries_total', 'fedigate_delivery_seconds_bucket', 'fedigate_inbox_requests_total', 'fedigate_inbox_activities_total', 'fedigate_platform_events_total', 'fedigate_callbacks_total', 'fedigate_callback_lag_seconds_bucket']) {
    expect(used).toContain(name);
  }
  // Delivery outcomes and latency by domain class (issue: the operator's dashboard).
  expect(queries.filter((q) => /fedigate_deliver(ies_total|y_seconds_bucket)/.test(q) && promqlLabelNames(q).includes('domain_class'))).toHaveLength(2);
  // Labels a query names must be the metric's own (from services/metrics.ts), le, or Prometheus's target labels.
  const labelsOf = (sample: string) => {
    const metric = tg.g.metrics.registry.getSingleMetric(sample.replace(/_(bucket|sum|count)$/, '')) ?? tg.g.metrics.registry.getSingleMetric(sample);
    return (metric as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
  };
  for (const expr of queries) {
    const allowed = new Set(['job', 'instance', 'le', ...promqlMetricNames(expr).flatMap(labelsOf)]);
    expect([expr, promqlLabelNames(expr).filter((l) => !allowed.has(l))]).toEqual([expr, []]);
  }
});

test('dashboard panels have unique ids and query through the datasource variable', () => {
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job']);
  for (const p of dashboard.panels.filter((panel) => panel.type !== 'row')) expect(p.datasource?.uid).toBe('${datasource}');
});

test("the Redis settings README's durability guarantee names are the ones docker compose and the crash test run Redis with", () => {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('**Redis settings the guarantee needs**'), readme.indexOf('`docker compose up` runs Redis with these settings'));
  // Rows like | `appendfsync always` | why |: a setting and its value.
  const settings = [...table.matchAll(/^\| `([a-z-]+) ([a-z]+)` \|/gm)].map((m) => [`--${m[1]}`, m[2]!]);
  expect(settings.map(([name]) => name)).toEqual(['--appendonly', '--appendfsync', '--maxmemory-policy']);
  const compose = parseAllDocuments(read('docker-compose.yml'))[0]!.toJS() as { services: { redis: { command: string[] } } };
  // The last occurrence wins in redis-server, so a later override would count.
  const has = (args: readonly string[], [name, value]: string[]) => args.lastIndexOf(name!) >= 0 && args[args.lastIndexOf(name!) + 1] === value;
  for (const setting of settings) {
    expect({ setting, inCompose: has(compose.services.redis.command, setting) }).toEqual({ setting, inCompose: true });
    expect({ setting, inCrashTest: has(DURABLE_REDIS_ARGS, setting) }).toEqual({ setting, inCrashTest: true });
  }
});
