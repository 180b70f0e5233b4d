// Every probe of the rendered chart answers 200 on the running service it belongs to.
//   node check-probes.mjs <manifests.yaml> <component>=<http port>...
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const ports = Object.fromEntries(process.argv.slice(3).map((a) => a.split('=')));
let failures = 0;
const deployments = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS())
  .filter((o) => o?.kind === 'Deployment');
for (const d of deployments) {
  const component = d.spec.template.metadata.labels['app.kubernetes.io/component'];
  const port = ports[component];
  if (!port) { console.error(`  FAIL no running ${component} given`); failures++; continue; }
  for (const c of d.spec.template.spec.containers) {
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const path = c[probe]?.httpGet?.path;
      if (!path) continue;
      const r = await fetch(`http://127.0.0.1:${port}${path}`).catch((e) => ({ status: e.message }));
      const ok = r.status === 200;
      if (!ok) failures++;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${component} ${probe} GET ${path} -> ${r.status}`);
    }
  }
}
if (failures) process.exit(1);
