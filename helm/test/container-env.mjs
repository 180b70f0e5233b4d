// The environment a container of the rendered chart gets, as NAME=value lines separated by NUL:
// plain values as they are, Secret keys from the Secrets the chart renders, the downward API's
// pod IP as 127.0.0.1 and pod name as given. A reference it cannot resolve fails.
//   node container-env.mjs <manifests.yaml> <component> <pod name>
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [file, component, podName] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const secrets = Object.fromEntries(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name,
  { ...o.stringData, ...Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])) }]));
const deployment = objects.find((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels['app.kubernetes.io/component'] === component);
if (!deployment) throw new Error(`no Deployment of ${component}`);
const fields = { 'status.podIP': '127.0.0.1', 'metadata.name': podName };
const out = [];
for (const e of deployment.spec.template.spec.containers[0].env ?? []) {
  let value = e.value;
  if (e.valueFrom?.secretKeyRef) {
    const { name, key } = e.valueFrom.secretKeyRef;
    value = secrets[name]?.[key];
    if (value === undefined) throw new Error(`${e.name}: Secret ${name} key ${key} is not rendered by the chart`);
  } else if (e.valueFrom?.fieldRef) {
    value = fields[e.valueFrom.fieldRef.fieldPath];
    if (value === undefined) throw new Error(`${e.name}: field ${e.valueFrom.fieldRef.fieldPath}`);
  } else if (e.valueFrom) {
    throw new Error(`${e.name}: cannot resolve ${JSON.stringify(e.valueFrom)}`);
  }
  out.push(`${e.name}=${value ?? ''}`);
}
process.stdout.write(out.join('\0') + '\0');
