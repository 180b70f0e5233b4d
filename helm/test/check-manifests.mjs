// Checks rendered manifests against the services themselves: their application.yml and their
// @ConfigurationProperties records.
//   - every container port is a port that service listens on with the env the chart gives it, and
//     every port it listens on is declared
//   - every probe is an Actuator health group the service enables, on its HTTP port
//   - every environment variable binds to something: a ${PLACEHOLDER} of application.yml, a key of
//     application.yml or of the *Properties records (Spring's relaxed names), or a Spring Boot
//     property known here; a misspelt variable would otherwise be ignored without a word
//   - comet's terminationGracePeriodSeconds is above its drain time, and its shutdown phase too
//   - every Secret a pod reads is made by the chart (with that key) or named in the values
//   - every Service selects pods that have its target ports; the ServiceMonitor's port exists
//
//   node check-manifests.mjs <repo root> <manifests.yaml> [values files it was rendered with]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = process.argv[2];
const MODULES = { eureka: 'goim-eureka-server', logic: 'goim-logic-service', job: 'goim-job-service', comet: 'goim-comet-service' };
// Spring Boot and Eureka properties the chart sets through their relaxed environment names
const SPRING_ENV = new Set([
  'SPRING_DATA_REDIS_SENTINEL_MASTER', 'SPRING_DATA_REDIS_SENTINEL_NODES', 'SPRING_DATA_REDIS_SENTINEL_PASSWORD',
  'SPRING_DATA_REDIS_CLUSTER_NODES', 'SPRING_DATA_REDIS_PASSWORD', 'SPRING_DATA_REDIS_SSL_ENABLED',
  'SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE', 'JAVA_TOOL_OPTIONS',
]);
let failures = 0;
const fail = (msg) => { console.error(`  FAIL ${msg}`); failures++; };

// ---- a service's configuration ----------------------------------------------------------
function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj ?? {})) {
    const key = prefix ? `${prefix}.${k.replace(/^\[|\]$/g, '')}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}
const canonicalEnv = (key) => key.replace(/-/g, '').replace(/\./g, '_').toUpperCase();

// the records of a *Properties class: record name -> [{type, name}]
function propertyRecords(module) {
  const records = {};
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('Properties.java')) {
        const original = readFileSync(p, 'utf8');
        const prefix = original.match(/@ConfigurationProperties\("([^"]+)"\)/)?.[1];
        const src = original.replace(/@\w+(\([^)]*\))?/g, '');
        for (const m of src.matchAll(/record\s+(\w+)\s*\(([^)]*)\)/g)) {
          records[m[1]] = m[2].split(',').map((c) => c.trim().split(/\s+/)).filter((c) => c.length >= 2)
            .map((c) => ({ type: c[c.length - 2].replace(/<.*/, ''), name: c[c.length - 1] }));
        }
        const top = src.match(/public\s+record\s+(\w+)/);
        if (prefix && top) (records.__roots ??= []).push({ prefix, record: top[1] });
      }
    }
  };
  walk(join(root, module, 'src/main/java'));
  return records;
}
// does GOIM_X_Y_Z bind to a component of the records (Spring: lower case, dashes removed)?
function bindsToRecord(env, records) {
  for (const { prefix, record } of records.__roots ?? []) {
    const head = canonicalEnv(prefix) + '_';
    if (!env.startsWith(head)) continue;
    const parts = env.slice(head.length).split('_');
    let current = record;
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const comp = (records[current] ?? []).find((c) => c.name.toUpperCase() === parts[i]);
      if (!comp) { ok = false; break; }
      current = comp.type;
      if (i < parts.length - 1 && !records[current]) { ok = false; break; }
    }
    if (ok) return true;
  }
  return false;
}

function serviceConfig(component) {
  const module = MODULES[component];
  const yml = readFileSync(join(root, module, 'src/main/resources/application.yml'), 'utf8');
  const placeholders = new Set([...yml.matchAll(/\$\{([A-Z0-9_]+):/g)].map((m) => m[1]));
  return { module, flat: flatten(parse(yml)), placeholders, records: propertyRecords(module) };
}

// the configuration this container runs with: application.yml, its ${ENV:default}, relaxed env names
function effective(config, env) {
  const byCanonical = Object.fromEntries(Object.keys(config.flat).map((k) => [canonicalEnv(k), k]));
  const out = {};
  for (const [k, v] of Object.entries(config.flat)) {
    out[k] = typeof v === 'string' ? v.replace(/\$\{([A-Z0-9_]+):([^}]*)\}/g, (_, name, dflt) => (name in env ? env[name] : dflt)) : v;
  }
  for (const [name, value] of Object.entries(env)) if (byCanonical[name]) out[byCanonical[name]] = value;
  return out;
}
const seconds = (d) => {
  const m = String(d).match(/^(\d+)(ms|s|m|h)?$/);
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 'ms'];
};

// ---- values: Secrets the user names ------------------------------------------------------
function namedSecrets(...files) {
  const names = new Set();
  const walk = (o) => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'existingSecret' && typeof v === 'string' && v) names.add(v);
      else walk(v);
    }
  };
  for (const f of files) walk(parse(readFileSync(f, 'utf8')));
  return names;
}

function check(file, valuesFiles) {
  const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  const secrets = Object.fromEntries(objects.filter((o) => o.kind === 'Secret')
    .map((o) => [o.metadata.name, new Set(Object.keys({ ...o.data, ...o.stringData }))]));
  const named = namedSecrets(...valuesFiles);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  let checked = 0;
  for (const d of deployments) {
    const component = d.spec.template.metadata.labels['app.kubernetes.io/component'];
    const config = serviceConfig(component);
    const pod = d.spec.template.spec;
    for (const c of pod.containers) {
      const where = `${file.split('/').pop()} ${d.metadata.name}/${c.name}`;
      const env = Object.fromEntries((c.env ?? []).filter((e) => 'value' in e).map((e) => [e.name, e.value]));
      // every variable binds to something
      for (const e of c.env ?? []) {
        const known = config.placeholders.has(e.name) || SPRING_ENV.has(e.name)
          || Object.keys(config.flat).some((k) => canonicalEnv(k) === e.name) || bindsToRecord(e.name, config.records);
        if (!known) fail(`${where}: env ${e.name} binds to no setting of ${config.module}`);
      }
      const cfg = effective(config, env);
      const on = (k) => String(cfg[k]) === 'true';
      const listening = { [Number(cfg['server.port'])]: 'server.port' };
      if (cfg['spring.grpc.server.port'] !== undefined) listening[Number(cfg['spring.grpc.server.port'])] = 'spring.grpc.server.port';
      if (component === 'comet') {
        listening[Number(cfg['goim.comet.websocket.port'])] = 'goim.comet.websocket.port';
        if (on('goim.comet.tcp.enabled')) listening[Number(cfg['goim.comet.tcp.port'])] = 'goim.comet.tcp.port';
        if (on('goim.comet.wss.enabled')) listening[Number(cfg['goim.comet.wss.port'])] = 'goim.comet.wss.port';
      }
      const declared = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      for (const [name, port] of declared) {
        if (!listening[port]) fail(`${where}: container port ${name}=${port} is no port ${config.module} listens on (${JSON.stringify(listening)})`);
      }
      for (const [port, key] of Object.entries(listening)) {
        if (![...declared.values()].includes(Number(port))) fail(`${where}: ${key}=${port} is not declared as a container port`);
      }
      if (declared.get('http') !== Number(cfg['server.port'])) fail(`${where}: port "http" is not server.port ${cfg['server.port']}`);
      // probes: Actuator's health groups, enabled in application.yml
      const exposed = String(cfg['management.endpoints.web.exposure.include'] ?? '').split(',').map((s) => s.trim());
      const paths = new Set();
      if (exposed.includes('health')) {
        paths.add('/actuator/health');
        if (on('management.endpoint.health.probes.enabled')) {
          paths.add('/actuator/health/liveness');
          paths.add('/actuator/health/readiness');
        }
      }
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const get = c[probe]?.httpGet;
        if (!get) { fail(`${where}: no ${probe}`); continue; }
        if (!paths.has(get.path)) fail(`${where}: ${probe} ${get.path} is not served by ${config.module} (${[...paths]})`);
        const port = typeof get.port === 'number' ? get.port : declared.get(get.port);
        if (port !== Number(cfg['server.port'])) fail(`${where}: ${probe} port ${get.port} is not server.port`);
      }
      if (c.livenessProbe?.httpGet?.path !== '/actuator/health/liveness') fail(`${where}: liveness probe is not /actuator/health/liveness`);
      if (c.readinessProbe?.httpGet?.path !== '/actuator/health/readiness') fail(`${where}: readiness probe is not /actuator/health/readiness`);
      // comet: the kubelet waits for the drain
      if (component === 'comet') {
        const drain = seconds(cfg['goim.comet.drain.time']);
        const phase = seconds(cfg['spring.lifecycle.timeout-per-shutdown-phase']);
        const grace = pod.terminationGracePeriodSeconds ?? 30;
        if (!(grace > drain)) fail(`${where}: terminationGracePeriodSeconds ${grace} is not above the drain time ${drain} s`);
        if (!(phase > drain && phase < grace)) fail(`${where}: shutdown phase ${phase} s is not between the drain ${drain} s and the grace period ${grace} s`);
        const ip = (c.env ?? []).find((e) => e.name === 'GOIM_HOST_IP');
        if (ip?.valueFrom?.fieldRef?.fieldPath !== 'status.podIP') fail(`${where}: comet does not register its pod IP in Eureka (GOIM_HOST_IP)`);
        if (cfg['eureka.instance.ip-address'] !== env.GOIM_HOST_IP && !String(config.flat['eureka.instance.ip-address']).includes('GOIM_HOST_IP')) fail(`${where}: eureka.instance.ip-address does not come from GOIM_HOST_IP`);
        if (!on('eureka.instance.prefer-ip-address')) fail(`${where}: eureka.instance.prefer-ip-address is off: the host name would be registered`);
      }
      // Secrets
      const reads = [];
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) reads.push(e.valueFrom.secretKeyRef);
      for (const e of c.envFrom ?? []) if (e.secretRef) reads.push({ name: e.secretRef.name });
      for (const v of pod.volumes ?? []) if (v.secret) reads.push({ name: v.secret.secretName });
      for (const ref of reads) {
        if (secrets[ref.name]) {
          if (ref.key && !secrets[ref.name].has(ref.key)) fail(`${where}: Secret ${ref.name} made by the chart has no key ${ref.key}`);
        } else if (!named.has(ref.name)) {
          fail(`${where}: reads Secret ${ref.name}, which the chart neither makes nor is given in the values`);
        }
      }
      checked++;
    }
  }
  // Services select pods that have their target ports
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const pods = deployments.filter((d) => Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    if (pods.length !== 1) { fail(`Service ${s.metadata.name} selects ${pods.length} Deployments`); continue; }
    const names = new Set(pods[0].spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    for (const p of s.spec.ports) if (!names.has(p.targetPort)) fail(`Service ${s.metadata.name} port ${p.name}: no container port ${p.targetPort}`);
  }
  for (const sm of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const services = objects.filter((o) => o.kind === 'Service'
      && Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    const components = services.map((s) => s.metadata.labels['app.kubernetes.io/component']).sort();
    if (components.join() !== ['comet', 'eureka', 'job', 'logic'].filter((c) => deployments.some((d) => d.metadata.labels['app.kubernetes.io/component'] === c)).sort().join()) {
      fail(`ServiceMonitor selects the Services of ${components}, not one of each service`);
    }
    for (const s of services) for (const ep of sm.spec.endpoints) {
      if (!s.spec.ports.some((p) => p.name === ep.port)) fail(`ServiceMonitor port ${ep.port} is not on Service ${s.metadata.name}`);
    }
  }
  console.log(`  ${file.split('/').pop()}: ${checked} containers checked against their services`);
}

// the chart's values.yaml and the values files given: the Secrets they name are the user's
check(process.argv[3], [join(root, 'helm/goim/values.yaml'), ...process.argv.slice(4)]);
if (failures) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
