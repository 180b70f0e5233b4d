// Checks the Grafana dashboard and the alert rules.
//
//   node check-dashboard.mjs static <dashboard.json> <rules-out.yml>
//       the dashboard's structure (unique panel ids, a Prometheus datasource variable, the instance
//       variable used by every query), and writes every query as a recording rule to rules-out.yml,
//       so that `promtool check rules` parses each one as PromQL
//   node check-dashboard.mjs live <dashboard.json> <alerts.yml> <prometheus url>
//       on a Prometheus scraping a running system: every dashboard query returns at least one
//       finite sample (a query that returns nothing fails); every alert rule is loaded with health
//       "ok" (evaluated without error) and every metric it names has series
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const [mode, dashboardFile, third, promUrl] = process.argv.slice(2);
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
let failures = 0;
const fail = (msg) => { console.error(`  FAIL ${msg}`); failures++; };

// Grafana's variables as the dashboard's defaults resolve them: every instance, a 1m rate window
const resolve = (expr) => expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m')
  .replaceAll('$__interval', '30s').replaceAll('$__range', '5m');

const queries = [];
for (const p of dashboard.panels) {
  for (const t of p.targets ?? []) queries.push({ panel: p.title, refId: t.refId, expr: t.expr });
}
const variables = Object.fromEntries((dashboard.templating?.list ?? []).map((v) => [v.name, v]));

// metric names a PromQL expression selects: label matchers, grouping labels, strings and
// functions taken out first
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless',
  'bool', 'offset', 'le', 'inf', 'nan']);
function metricNames(expr) {
  const bare = expr.replace(/"[^"]*"/g, '').replace(/\{[^}]*\}/g, ' ').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  return [...new Set([...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter((m) => !m[2] && !KEYWORDS.has(m[1].toLowerCase())).map((m) => m[1]))];
}

if (mode === 'static') {
  const ids = dashboard.panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) fail('panel ids are not unique');
  if (variables.datasource?.type !== 'datasource' || variables.datasource?.query !== 'prometheus') fail('no Prometheus datasource variable');
  if (variables.instance?.type !== 'query') fail('no instance variable');
  for (const p of dashboard.panels) {
    if (!p.gridPos) fail(`panel ${p.title}: no gridPos`);
    if (p.type !== 'row' && !(p.targets ?? []).length) fail(`panel ${p.title}: no query`);
    if (p.type !== 'row' && p.datasource?.uid !== '${datasource}') fail(`panel ${p.title}: not on the datasource variable`);
  }
  for (const q of queries) {
    if (!q.expr.includes('instance=~"$instance"')) fail(`${q.panel} ${q.refId}: does not follow the instance variable`);
  }
  // every query as a recording rule: promtool parses them
  const rules = queries.map((q, i) => `      - record: dashboard:q${i}\n        expr: ${JSON.stringify(resolve(q.expr))}`);
  writeFileSync(third, `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join('\n')}\n`);
  console.log(`  dashboard: ${dashboard.panels.filter((p) => p.type !== 'row').length} panels, ${queries.length} queries; metrics ${[...new Set(queries.flatMap((q) => metricNames(q.expr)))].length}`);
} else if (mode === 'live') {
  const query = async (expr) => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return r.json();
  };
  // the instance variable's own query: label_values(jvm_info, instance), one per service
  const def = variables.instance.definition.match(/^label_values\((\w+), *instance\)$/);
  const jobs = await query(`count by (job) (${def[1]})`);
  const jobNames = (jobs.data?.result ?? []).map((s) => s.metric.job).sort();
  console.log(`  variable instance: ${def[1]} has series for ${jobNames.join(', ')}`);
  if (jobNames.length < 4) fail(`the instance variable's ${def[1]} is not on every service (${jobNames})`);
  for (const q of queries) {
    const reply = await query(resolve(q.expr));
    const series = reply.data?.result ?? [];
    const finite = series.filter((s) => Number.isFinite(Number(s.value[1])));
    const ok = reply.status === 'success' && finite.length > 0;
    if (!ok) failures++;
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${q.panel} [${q.refId}]: ${reply.status === 'success' ? `${series.length} series, ${finite.length} finite` : reply.error}`);
  }
  const rules = parse(readFileSync(third, 'utf8')).groups.flatMap((g) => g.rules);
  const loaded = (await (await fetch(`${promUrl}/api/v1/rules?type=alert`)).json()).data.groups.flatMap((g) => g.rules);
  for (const rule of rules) {
    const live = loaded.find((r) => r.name === rule.alert);
    const reply = await query(rule.expr);
    const missing = [];
    for (const name of metricNames(rule.expr)) {
      const n = await query(`count(${name})`);
      if (!(n.data?.result ?? []).length) missing.push(name);
    }
    const ok = live && live.health === 'ok' && !live.lastError && reply.status === 'success' && !missing.length;
    if (!ok) failures++;
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} alert ${rule.alert}: ${live ? `health ${live.health}, state ${live.state}` : 'not loaded'}`
      + `${live?.lastError ? ` error ${live.lastError}` : ''}, expr ${reply.status} with ${(reply.data?.result ?? []).length} series`
      + `${missing.length ? `; no series of ${missing}` : ''}; metrics ${metricNames(rule.expr).join(', ')}`);
  }
} else {
  console.error('usage: check-dashboard.mjs static <dashboard.json> <rules-out.yml> | live <dashboard.json> <alerts.yml> <prometheus url>');
  process.exit(2);
}
if (failures) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
