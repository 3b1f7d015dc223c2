// The schema's promise to the front ends that built on the last release: every change since
// (api/schema.released.graphql → api/schema.graphql) that graphql-js counts as breaking must be
// declared, with its reason, in api/schema.breaking.json — and every declaration must still be
// needed. Dangerous changes (an enum value or an interface added) are listed, not refused.
//
//   npm run breaking
import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

const at = (path) => new URL(`../../api/${path}`, import.meta.url);
const released = buildSchema(readFileSync(at('schema.released.graphql'), 'utf8'));
const current = buildSchema(readFileSync(at('schema.graphql'), 'utf8'));
const declared = JSON.parse(readFileSync(at('schema.breaking.json'), 'utf8'));
if (!Array.isArray(declared) || declared.some((d) => typeof d.change !== 'string' || typeof d.why !== 'string' || !d.why.trim())) {
  console.error('api/schema.breaking.json must be an array of {"change": "<graphql-js description>", "why": "<reason>"}');
  process.exit(2);
}
// The specification's own directives (@deprecated, @skip…) are each client's built-ins: the SDL
// printing one with its locations (once it is used) changes nothing a client sends or reads.
const specified = /^\S+ was removed from (deprecated|skip|include|specifiedBy|oneOf)\.$/;
const breaking = findBreakingChanges(released, current)
  .map((c) => c.description)
  .filter((d) => !specified.test(d));
const undeclared = breaking.filter((b) => !declared.some((d) => d.change === b));
const stale = declared.filter((d) => !breaking.includes(d.change));
for (const c of findDangerousChanges(released, current)) console.log(`dangerous   ${c.description}`);
for (const b of breaking) console.log(`${undeclared.includes(b) ? 'UNDECLARED' : 'declared  '}  ${b}`);
for (const d of stale) console.log(`STALE       ${d.change} (declared, but no longer a change)`);
console.log(`${breaking.length} breaking (${undeclared.length} undeclared), ${stale.length} stale declarations`);
process.exit(undeclared.length || stale.length ? 1 : 0);
