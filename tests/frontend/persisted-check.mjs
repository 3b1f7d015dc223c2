// Automatic persisted queries as Apollo Client 4 (`PersistedQueryLink`) and urql
// (`@urql/exchange-persisted`) speak them, against a live server: the first time, the client
// sends the document's SHA-256 alone, is told PersistedQueryNotFound and sends it with its
// text; after that, the hash alone runs it — as GET, where the client prefers GET for hashed
// queries. Each must end with the same data as a plain request, and nothing on the console.
//
//   KIT_URL=http://127.0.0.1:8080/graphql KIT_TOKEN=… npm run persisted
//
// Prints one line per client and step; exits 1 on any failure.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual, format } from 'node:util';
import { parse, print, Kind, visit } from 'graphql';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

const url = process.env.KIT_URL;
const token = process.env.KIT_TOKEN;
if (!url || !token) {
  console.error('KIT_URL and KIT_TOKEN are required');
  process.exit(2);
}
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

// The caseload screen's operation with its fragments, as the codegen documents have it.
const opsDir = new URL('src/operations/', import.meta.url);
const definitions = readdirSync(opsDir)
  .filter((f) => f.endsWith('.graphql'))
  .flatMap((f) => parse(readFileSync(new URL(f, opsDir), 'utf8')).definitions);
function documentFor(name) {
  const op = definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  const used = new Set();
  const walk = (node) =>
    visit(node, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        walk(definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === spread.name.value));
      },
    });
  walk(op);
  return print({ kind: Kind.DOCUMENT, definitions: [op, ...[...used].map((n) => definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === n))] });
}
const caseload = documentFor('CaseloadQuery');

const said = [];
for (const level of ['error', 'warn']) {
  console[level] = (...args) => said.push(`console.${level}: ${format(...args)}`);
}

/** A fetch that records what each request carried and what came back. */
function recording(log) {
  return async (input, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const target = new URL(typeof input === 'string' ? input : input.url);
    let params;
    if (method === 'GET') {
      params = Object.fromEntries(target.searchParams);
      for (const k of ['extensions', 'variables']) if (params[k]) params[k] = JSON.parse(params[k]);
    } else {
      params = JSON.parse(init.body);
    }
    const res = await fetch(input, init);
    const body = await res.clone().json().catch(() => undefined);
    log.push({
      method,
      hashed: Boolean(params.extensions?.persistedQuery?.sha256Hash),
      withText: typeof params.query === 'string' && params.query.length > 0,
      status: res.status,
      code: body?.errors?.[0]?.extensions?.code,
    });
    return res;
  };
}

// What a plain request answers: the reference.
const plain = await (
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: caseload }),
  })
).json();
if (plain.errors || !plain.data) {
  console.log(`FAIL the plain caseload request failed: ${JSON.stringify(plain)}`);
  process.exit(1);
}

let failures = 0;
const check = (what, ok, detail) => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures++;
};

async function apollo() {
  const log = [];
  const client = new ApolloClient({
    link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
      new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recording(log) }),
    ),
    cache: new InMemoryCache(),
  });
  const first = await client.query({ query: gql(caseload), fetchPolicy: 'network-only' });
  const second = await client.query({ query: gql(caseload), fetchPolicy: 'network-only' });
  client.stop();
  return { log, results: [first.data, second.data] };
}

async function urql() {
  const log = [];
  const client = new Client({
    url,
    fetch: recording(log),
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [persistedExchange({ preferGetForPersistedQueries: true, generateHash: async (q) => sha256(q) }), fetchExchange],
  });
  const run = async () => {
    const r = await client.query(caseload, {}, { requestPolicy: 'network-only' }).toPromise();
    if (r.error) throw r.error;
    return r.data;
  };
  const first = await run();
  const second = await run();
  return { log, results: [first, second] };
}

for (const [name, run] of [['apollo', apollo], ['urql', urql]]) {
  let outcome;
  try {
    outcome = await run();
  } catch (e) {
    check(`${name} runs the caseload as a persisted query`, false, `threw ${e?.message ?? e}`);
    continue;
  }
  const { log, results } = outcome;
  const steps = log.map((l) => `${l.method} ${l.hashed ? 'hash' : 'nohash'}${l.withText ? '+text' : ''} → ${l.status}${l.code ? ` ${l.code}` : ''}`).join('; ');
  check(`${name}: the unknown hash is answered PERSISTED_QUERY_NOT_FOUND`, log[0]?.hashed && !log[0]?.withText && log[0]?.code === 'PERSISTED_QUERY_NOT_FOUND', steps);
  check(`${name}: the client then sends the text with the hash`, log[1]?.hashed && log[1]?.withText && log[1]?.status === 200, steps);
  check(`${name}: after that the hash alone runs it`, log.length === 3 && log[2]?.hashed && !log[2]?.withText && log[2]?.status === 200 && !log[2]?.code, steps);
  // Apollo adds __typename to what it asks; compare what both ask for.
  const strip = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k === '__typename' ? undefined : x)));
  check(`${name}: the data is a plain request's`, results.every((r) => isDeepStrictEqual(strip(r), strip(plain.data))), JSON.stringify(results[0]).slice(0, 200));
}
check('nothing on the console', said.length === 0, said.join(' | '));
process.exit(failures ? 1 : 0);
