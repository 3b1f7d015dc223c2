// A browser app on another origin, in headless Chromium (Debian's, driven by playwright-core):
// a page served from http://localhost:$KIT_PAGE_PORT runs a query against the API (the
// browser sends its CORS preflight for the Authorization header) and opens a subscription
// over the API's WebSocket. It prints SUBSCRIBED once the subscription is acknowledged, and
// waits for one event (the caller makes one happen). The same page from an origin the API does
// not list must be refused by the browser.
//
//   KIT_API=http://127.0.0.1:8080 KIT_TOKEN=… KIT_PAGE_PORT=5173 npm run browser
//
// Prints PASS/FAIL lines; exits 1 on any failure.
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const api = process.env.KIT_API;
const token = process.env.KIT_TOKEN;
const port = Number(process.env.KIT_PAGE_PORT);
if (!api || !token || !port) {
  console.error('KIT_API, KIT_TOKEN and KIT_PAGE_PORT are required');
  process.exit(2);
}

const page = `<!doctype html><meta charset="utf-8"><title>caseload</title><script type="module">
const api = ${JSON.stringify(api)}, token = ${JSON.stringify(token)};
window.result = {};
try {
  const r = await fetch(api + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json',
               authorization: 'Bearer ' + token },
    body: JSON.stringify({ query: '{ viewer { id isIntakeMember } }' }),
  });
  window.result.query = { status: r.status, requestId: r.headers.get('x-request-id'), body: await r.json() };
} catch (e) {
  window.result.query = { error: String(e) };
}
if (!location.search.includes('query-only')) {
  const ws = new WebSocket(api.replace(/^http/, 'ws') + '/graphql/ws', 'graphql-transport-ws');
  ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: 'Bearer ' + token } }));
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'connection_ack') {
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { notificationAdded { id kind title } }' } }));
      // The server holds the subscription once it has the message; a moment for it to start.
      setTimeout(() => (window.result.subscribed = true), 500);
    } else if (msg.type === 'next') {
      window.result.event = msg.payload;
    } else if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }));
    } else if (msg.type === 'error') {
      window.result.event = { error: msg.payload };
    }
  };
  ws.onclose = (e) => (window.result.closed = e.code + ' ' + e.reason);
}
</script>`;

const serve = (listenPort) =>
  new Promise((resolve) => {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    server.listen(listenPort, '127.0.0.1', () => resolve(server));
  });
const allowedServer = await serve(port);
const elsewhereServer = await serve(0);
const elsewherePort = elsewhereServer.address().port;

let failures = 0;
const check = (what, ok, detail) => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures++;
};

const browser = await chromium.launch({
  executablePath: process.env.KIT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const tab = await browser.newPage();
  const consoleErrors = [];
  tab.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await tab.goto(`http://localhost:${port}/`);
  await tab.waitForFunction(() => window.result?.query, null, { timeout: 30_000 });
  const query = await tab.evaluate(() => window.result.query);
  check('the query runs from another origin', query.status === 200 && query.body?.data?.viewer?.id, JSON.stringify(query));
  check('the page reads the request id', typeof query.requestId === 'string' && query.requestId.length > 0, JSON.stringify(query));
  await tab.waitForFunction(() => window.result?.subscribed || window.result?.closed, null, { timeout: 30_000 });
  const closed = await tab.evaluate(() => window.result.closed);
  check('the subscription is acknowledged', !closed, closed);
  console.log('SUBSCRIBED');
  await tab.waitForFunction(() => window.result?.event || window.result?.closed, null, { timeout: 120_000 }).catch(() => {});
  const event = await tab.evaluate(() => window.result.event);
  check('an event arrives on the subscription', event?.data?.notificationAdded?.id, JSON.stringify(event));
  check('nothing on the console', consoleErrors.length === 0, consoleErrors.join(' | '));

  // From an origin the API does not list, the browser refuses to let the page read anything.
  const other = await browser.newPage();
  await other.goto(`http://127.0.0.1:${elsewherePort}/?query-only`);
  await other.waitForFunction(() => window.result?.query, null, { timeout: 30_000 });
  const refused = await other.evaluate(() => window.result.query);
  check('an origin not listed is refused by the browser', Boolean(refused.error), JSON.stringify(refused));
} finally {
  await browser.close();
  allowedServer.close();
  elsewhereServer.close();
}
process.exit(failures ? 1 : 0);
