// Validates every object of rendered manifests against the Kubernetes API schemas that the npm
// package kubernetes-models ships (and @kubernetes-models/prometheus-operator for ServiceMonitor and
// PrometheusRule), object by object: a wrong type, a missing required field or a bad enum fails,
// and so does a field the object's kind does not have (known-fields.mjs).
//
//   node validate.mjs <manifests.yaml>...
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { unknownFields } from './known-fields.mjs';

function modulePath(apiVersion) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

let failures = 0;
for (const file of process.argv.slice(2)) {
  const counts = {};
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue;
    const where = `${file}: ${obj.kind} ${obj.metadata?.name}`;
    let Model;
    try {
      Model = (await import(modulePath(obj.apiVersion)))[obj.kind];
    } catch (e) {
      Model = undefined;
    }
    if (!Model) {
      console.error(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      failures++;
      continue;
    }
    const unknown = unknownFields(obj);
    if (unknown === null || unknown.length) {
      console.error(`${where}: ${unknown === null ? 'no field list for this kind' : unknown.join(', ')}`);
      failures++;
      continue;
    }
    counts[obj.kind] = (counts[obj.kind] ?? 0) + 1;
  }
  console.log(`  ${file.split('/').pop()}: valid ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
}
if (failures) {
  console.error(`${failures} object(s) failed validation`);
  process.exit(1);
}
