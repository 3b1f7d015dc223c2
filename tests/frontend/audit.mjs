// The GraphQL over HTTP specification's server audits (npm graphql-http) against a live server.
//
//   KIT_URL=http://127.0.0.1:8080/graphql KIT_TOKEN=… npm run audit
//
// Every request carries `Authorization: Bearer $KIT_TOKEN`. Prints every audit; exits 1 when any
// audit is not ok — MUST (error), SHOULD (warn) and MAY (notice) alike — so it can gate CI.
import { serverAudits } from 'graphql-http';

const url = process.env.KIT_URL;
const token = process.env.KIT_TOKEN;
if (!url || !token) {
  console.error('KIT_URL and KIT_TOKEN are required (e.g. KIT_URL=http://127.0.0.1:8080/graphql)');
  process.exit(2);
}

/** Global fetch, with the bearer token added to every request the audits make. */
async function fetchFn(input, init = {}) {
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  new Headers(init.headers).forEach((value, key) => headers.set(key, value));
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

let notOk = 0;
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await audit.fn();
  } catch (e) {
    // graphql-http throws only on fatal problems (the server could not be reached, say).
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit threw: ${e?.message ?? e}` };
  }
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  if (result.status === 'ok') {
    console.log(`ok     ${result.id} ${result.name}`);
    continue;
  }
  notOk++;
  let answer = '';
  if (result.response) {
    const res = result.response;
    let body = '';
    try {
      body = oneLine(await res.clone().text());
    } catch {
      body = '(body already read)';
    }
    answer = ` [server answered ${res.status} ${res.headers.get('content-type') ?? '(no content-type)'}: ${body.slice(0, 200)}${body.length > 200 ? '…' : ''}]`;
  }
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}\n         ${oneLine(result.reason)}${answer}`);
}
console.log(
  `${counts.ok} ok, ${counts.error} MUST failed (error), ${counts.warn} SHOULD failed (warn), ${counts.notice} MAY failed (notice)`,
);
process.exit(notOk ? 1 : 0);
