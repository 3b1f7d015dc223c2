// Runs the screens' operations (src/operations/*.graphql) against a live server with the two
// normalized-cache clients front ends use, Apollo Client 4 (InMemoryCache) and urql
// (@urql/exchange-graphcache), and checks that each client can read back from its cache exactly
// what it got from the network, without a single warning or error on the console.
//
//   KIT_URL=http://127.0.0.1:8080/graphql \
//   KIT_SCENARIOS='[{"role":"intake","token":"…","caseId":"Q2FzZTox"}]' npm run apollo
//
// (`"caseId": null` skips the case page for a role that sees no case.)
//
// Per scenario, operation and client it prints one PASS/FAIL line; it exits 1 on any failure.
// Run it through `npm run apollo` (node --conditions=development): Apollo Client 4 only warns
// (missing fields, cache data loss) in its development build.
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual, inspect, format } from 'node:util';
import { buildSchema, introspectionFromSchema, isObjectType, parse, visit, Kind } from 'graphql';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { __DEV__ } from '@apollo/client/utilities/environment';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';

const here = new URL('.', import.meta.url);

// ---- configuration --------------------------------------------------------------------------
const url = process.env.KIT_URL;
let scenarios;
try {
  scenarios = JSON.parse(process.env.KIT_SCENARIOS ?? '');
  if (!Array.isArray(scenarios) || scenarios.length === 0) throw new Error('not a non-empty array');
  for (const s of scenarios) {
    if (typeof s.role !== 'string' || typeof s.token !== 'string' || !(typeof s.caseId === 'string' || s.caseId === null)) {
      throw new Error(`each scenario needs string role and token, and caseId a string (or null: skip the case page): ${JSON.stringify(s)}`);
    }
  }
} catch (e) {
  console.error(`KIT_SCENARIOS must be a JSON array of {"role","token","caseId"}: ${e.message}`);
  process.exit(2);
}
if (!url) {
  console.error('KIT_URL is required (e.g. http://127.0.0.1:8080/graphql)');
  process.exit(2);
}
if (!__DEV__) {
  console.error('Apollo Client is in production mode and would not warn: run with node --conditions=development (npm run apollo)');
  process.exit(2);
}
loadDevMessages();
loadErrorMessages();

// ---- the operations, as the codegen documents have them --------------------------------------
const opsDir = new URL('src/operations/', here);
const definitions = readdirSync(opsDir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .flatMap((f) => parse(readFileSync(new URL(f, opsDir), 'utf8')).definitions);
const fragments = new Map(
  definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
);

/** The operation with every fragment it uses, transitively: a document a client can send. */
function documentFor(name) {
  const op = definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  if (!op) throw new Error(`no operation ${name} in src/operations`);
  const used = new Set();
  const walk = (node) =>
    visit(node, {
      FragmentSpread(spread) {
        const n = spread.name.value;
        if (used.has(n)) return;
        used.add(n);
        const frag = fragments.get(n);
        if (!frag) throw new Error(`${name} uses unknown fragment ${n}`);
        walk(frag);
      },
    });
  walk(op);
  return { kind: Kind.DOCUMENT, definitions: [op, ...[...used].map((n) => fragments.get(n))] };
}

const operations = [
  { name: 'CaseloadQuery', variables: () => ({}) },
  { name: 'CasePageQuery', variables: (s) => ({ id: s.caseId }) },
  { name: 'UpcomingMeetingsQuery', variables: () => ({}) },
  { name: 'NotificationsQuery', variables: () => ({}) },
].map((o) => ({ ...o, document: documentFor(o.name) }));

// ---- the schema, for graphcache ---------------------------------------------------------------
const schema = buildSchema(readFileSync(new URL('../../api/schema.graphql', here), 'utf8'));
// Objects without an `id` (Viewer, ViewerAccess, connections, edges, PageInfo…) are embedded in
// their parent, as graphcache's documentation says to declare them.
const embeddedKeys = Object.fromEntries(
  Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith('__') && !('id' in t.getFields()))
    .filter((t) => ![schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].includes(t))
    .map((t) => [t.name, () => null]),
);
const introspection = introspectionFromSchema(schema);

// ---- console capture: anything a client says is a failure -------------------------------------
const said = [];
for (const level of ['error', 'warn']) {
  console[level] = (...args) => {
    said.push(`console.${level}: ${format(...args)}`);
  };
}

// ---- what the server really sent, per operation name ------------------------------------------
/** A fetch that keeps the last raw response body of each operation, and the HTTP method used. */
function recordingFetch(raw) {
  return async (input, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const reqUrl = new URL(typeof input === 'string' ? input : input.url);
    let opName = reqUrl.searchParams.get('operationName');
    if (!opName && typeof init.body === 'string') {
      try {
        opName = JSON.parse(init.body).operationName;
      } catch {}
    }
    const res = await fetch(input, init);
    const text = await res.clone().text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    raw.set(opName ?? '(anonymous)', { method, status: res.status, type: res.headers.get('content-type'), body });
    return res;
  };
}

// ---- comparison -------------------------------------------------------------------------------
/** The first path where a and b differ, with both values, or null when they are equal. */
function firstDifference(a, b, path = '') {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in a)) return `${path}.${k}: missing on the left, right has ${short(b[k])}`;
      if (!(k in b)) return `${path}.${k}: missing on the right, left has ${short(a[k])}`;
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || '.'}: ${short(a)} ≠ ${short(b)}`;
}
const withoutTypename = (v) =>
  Array.isArray(v)
    ? v.map(withoutTypename)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== '__typename').map(([k, x]) => [k, withoutTypename(x)]))
      : v;
const oneLine = (s) => (s.length > 600 ? `${s.slice(0, 600)}…` : s).replace(/\s+/g, ' ');
const short = (v) => inspect(v, { depth: 2, breakLength: Infinity, maxArrayLength: 3, maxStringLength: 80 });

function summary(name, data) {
  if (!data) return 'no data';
  switch (name) {
    case 'CaseloadQuery':
      return `${data.cases.edges.length}/${data.cases.totalCount} cases`;
    case 'CasePageQuery':
      return data.case
        ? `${data.case.reference} child=${data.case.child ? 'shown' : 'null'} access=${data.case.viewerAccess.childData} participants=${data.case.participants.length} meetings=${data.case.meetings.length} deadlines=${data.case.deadlines.length}`
        : 'case null';
    case 'UpcomingMeetingsQuery':
      return `${data.viewer.upcomingMeetings.edges.length} meetings`;
    case 'NotificationsQuery':
      return `${data.viewer.unreadNotificationCount} unread, ${data.viewer.notifications.nodes.length} listed`;
    default:
      return '';
  }
}

// ---- the clients ------------------------------------------------------------------------------
const clients = {
  apollo(token, raw) {
    const client = new ApolloClient({
      link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch(raw) }),
      // No type policies: every object with an identity has an `id`, so the default cache
      // normalizes it and never warns about data lost on a refetch.
      cache: new InMemoryCache(),
    });
    return {
      async network(document, variables) {
        // Default errorPolicy ('none'): a GraphQL error rejects.
        const result = await client.query({ query: document, variables, fetchPolicy: 'network-only' });
        if (result.error) throw result.error;
        return result.data;
      },
      cached(document, variables) {
        return client.readQuery({ query: document, variables });
      },
      stop() {
        client.stop();
      },
    };
  },
  urql(token, raw) {
    const client = new Client({
      url,
      // preferGetMethod left at its default ('within-url-limit': queries go as GET when short).
      fetch: recordingFetch(raw),
      fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
      exchanges: [cacheExchange({ schema: introspection, keys: embeddedKeys }), fetchExchange],
    });
    return {
      async network(document, variables) {
        const result = await client.query(document, variables, { requestPolicy: 'network-only' }).toPromise();
        if (result.error) throw result.error;
        return result.data;
      },
      cached(document, variables) {
        const result = client.readQuery(document, variables, { requestPolicy: 'cache-only' });
        if (result?.error) throw result.error;
        return result?.data ?? null;
      },
      stop() {},
    };
  },
};

// ---- run --------------------------------------------------------------------------------------
let failures = 0;
let passes = 0;
for (const scenario of scenarios) {
  for (const [clientName, make] of Object.entries(clients)) {
    const raw = new Map();
    const client = make(scenario.token, raw); // a fresh client (and cache) per token
    for (const op of operations) {
      if (op.name === 'CasePageQuery' && scenario.caseId === null) {
        console.log(`SKIP ${clientName.padEnd(6)} ${scenario.role.padEnd(10)} ${op.name.padEnd(22)} no caseId for this role`);
        continue;
      }
      const label = `${clientName.padEnd(6)} ${scenario.role.padEnd(10)} ${op.name.padEnd(22)}`;
      const variables = op.variables(scenario);
      const problems = [];
      said.length = 0;
      let data;
      try {
        data = await client.network(op.document, variables);
        const sent = raw.get(op.name);
        if (!sent) problems.push('no HTTP response recorded');
        else if (sent.status !== 200) problems.push(`HTTP ${sent.status} (${sent.method})`);
        else if (sent.body?.errors) problems.push(`server errors: ${short(sent.body.errors)}`);
        const cached = client.cached(op.document, variables);
        if (cached === null || cached === undefined) problems.push('readQuery returned nothing: the result is not in the cache');
        else {
          const d = firstDifference(data, cached);
          if (d) problems.push(`readQuery ≠ network result at ${d}`);
        }
        if (sent?.body && 'data' in sent.body) {
          // The clients add __typename to the request; urql leaves it out of results again.
          const d = firstDifference(withoutTypename(sent.body.data), withoutTypename(data));
          if (d) problems.push(`client result ≠ server's JSON at ${d}`);
        }
      } catch (e) {
        const sent = raw.get(op.name);
        if (sent && sent.body === undefined) {
          problems.push(`${sent.method} answered HTTP ${sent.status} ${sent.type}, not a GraphQL response`);
        }
        problems.push(`threw ${e?.name ?? 'error'}: ${oneLine(String(e?.message ?? e))}`);
      }
      // Let deferred warnings (cache broadcasts) reach the console before judging.
      await new Promise((r) => setTimeout(r, 0));
      problems.push(...said.splice(0).map(oneLine));
      const method = raw.get(op.name)?.method ?? '?';
      if (problems.length === 0) {
        passes++;
        console.log(`PASS ${label} ${method.padEnd(4)} ${summary(op.name, data)}`);
      } else {
        failures++;
        console.log(`FAIL ${label} ${method.padEnd(4)} ${problems.join('\n       | ')}`);
      }
    }
    client.stop();
  }
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
