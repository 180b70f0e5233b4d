// Unknown fields: kubernetes-models' validators check the fields they know and let any other one
// through, and an API server only warns about them; a misspelt field (terminationGracePeriodSecond)
// would be dropped without a word. The same packages' type declarations (.d.ts) list every field
// of every object, so this walks an object along them and names each field they do not have.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const modules = join(dirname(fileURLToPath(import.meta.url)), 'node_modules');
const PACKAGES = ['kubernetes-models', '@kubernetes-models/apimachinery', '@kubernetes-models/prometheus-operator'];
const TYPE_META = { apiVersion: 'string', kind: 'string' };

const interfaces = new Map(); // global alias (and "file#local" name) -> { field: type }

function parseDeclarations(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const local = new Map();
  for (const m of text.matchAll(/^export interface (\w+)(?: extends ([^{]+))? \{\n([\s\S]*?)^\}/gm)) {
    const fields = m[2]?.includes('TypeMeta') ? { ...TYPE_META } : {};
    const lines = m[3].split('\n');
    for (let i = 0; i < lines.length; i++) {
      const f = lines[i].match(/^ {4}"([^"]+)"\??: (.*?);?$/);
      if (!f) continue;
      fields[f[1]] = f[2].startsWith('{') ? 'object' : f[2];
    }
    local.set(m[1], fields);
  }
  for (const m of text.matchAll(/^export type \{ ([^}]+) \};/gm)) {
    for (const pair of m[1].split(',')) {
      const [from, to] = pair.trim().split(/\s+as\s+/);
      if (local.has(from)) interfaces.set(to, local.get(from));
    }
  }
  for (const [name, fields] of local) interfaces.set(`${file}#${name}`, fields);
}
function walk(dir) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.d.ts')) parseDeclarations(p);
  }
}
for (const p of PACKAGES) walk(join(modules, p));

function elementType(type) {
  const a = type.match(/^Array<(.+)>$/);
  return a ? elementType(a[1]) : type;
}

function check(value, fields, path, problems) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (!(key in fields)) {
      problems.push(`${path}.${key}: no such field`);
      continue;
    }
    const type = elementType(fields[key]);
    const nested = interfaces.get(type);
    if (!nested) continue;
    for (const [i, item] of (Array.isArray(child) ? child : [child]).entries()) {
      check(item, nested, Array.isArray(child) ? `${path}.${key}[${i}]` : `${path}.${key}`, problems);
    }
  }
}

/** The fields of obj that its kind does not have, as paths; null when the kind is unknown. */
export function unknownFields(obj) {
  const pkg = obj.apiVersion.startsWith('monitoring.coreos.com/') ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const file = join(modules, pkg, obj.apiVersion, `${obj.kind}.d.ts`);
  const fields = interfaces.get(`${file}#I${obj.kind}`);
  if (!fields) return null;
  const problems = [];
  check(obj, fields, obj.kind, problems);
  return problems;
}
