// What a screen does with the generated types. Nothing here runs against a server: it exists
// so that `tsc --strict` proves the front end handles every null the schema allows, and that
// the schema allows the nulls its documentation promises (`child` is null when the child's
// data is withheld, and so on). A schema change that drops one of those nulls, or adds one
// that this code does not handle, fails `npm run typecheck`.

// Relay artifacts (npm run relay).
import type { CaseRow_case$data } from './__generated__/CaseRow_case.graphql';
import type { CasePage_case$data } from './__generated__/CasePage_case.graphql';
import type { CaseloadQuery$variables } from './__generated__/CaseloadQuery.graphql';
import type { Caseload_query$data } from './__generated__/Caseload_query.graphql';
import type { CasePageQuery$data } from './__generated__/CasePageQuery.graphql';
import type { UpcomingMeetingsQuery$data } from './__generated__/UpcomingMeetingsQuery.graphql';
import type { NotificationsQuery$data } from './__generated__/NotificationsQuery.graphql';
// GraphQL Code Generator output (npm run codegen).
import type {
  CaseloadQuery,
  CasePageQuery,
  CasePage_CaseFragment,
  CaseRow_CaseFragment,
  ChildDataSharing,
  NotificationsQuery,
  UpcomingMeetingsQuery,
} from './generated/graphql';

// ---------------------------------------------------------------------------------------------
// Compile-time facts about nullability. `Nullable<T>` only accepts `true` when null is part of T,
// `NonNull<T>` only when it is not: each line fails to compile if the schema says otherwise.

type IsNullable<T> = null extends T ? true : false;
const nullable = <T>(_: IsNullable<T> extends true ? true : never): void => undefined;
const nonNull = <T>(_: IsNullable<T> extends false ? true : never): void => undefined;

type RelayCase = NonNullable<CasePageQuery$data['case']>;
type CodegenCase = NonNullable<CasePageQuery['case']>;

// Withheld from some viewers (`viewerAccess.childData`): documented as null, not an error.
nullable<CaseRow_case$data['child']>(true);
nullable<CaseRow_CaseFragment['child']>(true);
nullable<CasePage_case$data['referral']>(true);
nullable<CasePage_CaseFragment['referral']>(true);
nullable<CasePage_case$data['statusHistory']>(true);
nullable<CasePage_CaseFragment['statusHistory']>(true);
nullable<CasePage_case$data['plan']>(true);
nullable<NonNullable<CasePage_case$data['child']>['familyMembers']>(true);
nullable<NonNullable<CasePage_CaseFragment['child']>['cpr']>(true);
nullable<CaseRow_case$data['participants'][number]['name']>(true);
nullable<CaseRow_CaseFragment['participants'][number]['name']>(true);
// A case you may not see, or that does not exist, is null.
nullable<CasePageQuery$data['case']>(true);
nullable<CasePageQuery['case']>(true);
// Always there: a row can rely on these without a fallback.
nonNull<RelayCase['reference']>(true);
nonNull<CodegenCase['viewerAccess']>(true);
nonNull<CaseRow_case$data['viewerAccess']['childData']>(true);
nonNull<Caseload_query$data['cases']['totalCount']>(true);
nonNull<CaseloadQuery['cases']['edges'][number]['node']>(true);

// ---------------------------------------------------------------------------------------------
// Rendering, as a screen would.

const withheldReason = (sharing: ChildDataSharing | CaseRow_case$data['viewerAccess']['childData']): string => {
  switch (sharing) {
    case 'WITHHELD':
      return 'child data withheld';
    case 'REFERRER':
      return 'referral only';
    case 'CONSENT':
    case 'OWN_ORGANIZATION':
      return 'shared';
    default:
      return 'unknown sharing';
  }
};

/** A caseload row from the Relay fragment. */
export function renderCaseRow(row: CaseRow_case$data): string {
  const child = row.child ? `${row.child.name} (${row.child.dateOfBirth})` : `[${withheldReason(row.viewerAccess.childData)}]`;
  const people = row.participants.map((p) => `${p.name ?? '(name withheld)'} ${p.role}/${p.sector}`).join(', ');
  return `${row.reference} ${row.status} ${child} — ${people}`;
}

/** The same row from the codegen fragment type: must be interchangeable with the Relay one. */
export function renderCaseRowCodegen(row: CaseRow_CaseFragment): string {
  const name: string = row.child?.name ?? `[${withheldReason(row.viewerAccess.childData)}]`;
  const people = row.participants.map((p) => p.name ?? '(name withheld)').join(', ');
  return `${row.reference} ${row.status} ${name} — ${people}`;
}

export function renderCaseload(data: CaseloadQuery, variables: CaseloadQuery$variables): string[] {
  const header = `${data.cases.totalCount} cases${variables.status ? ` in ${variables.status.join('/')}` : ''}`;
  return [header, ...data.cases.edges.map((e) => renderCaseRowCodegen(e.node))];
}

/** The case page from the Relay fragment. */
export function renderCasePage(c: CasePage_case$data): string[] {
  const lines: string[] = [`${c.reference} ${c.status}`];
  if (c.child) {
    lines.push(`Child: ${c.child.name}, CPR ${c.child.cpr ?? 'not shown'}`);
    for (const fm of c.child.familyMembers ?? []) lines.push(`  family: ${fm.name} <${fm.email ?? 'no e-mail'}>`);
  } else {
    lines.push(`Child: [${withheldReason(c.viewerAccess.childData)}]`);
  }
  lines.push(`Referral: ${c.referral?.reason ?? '(not shown)'}`);
  for (const p of c.participants) lines.push(`  ${p.role} ${p.sector}: ${p.name ?? '(name withheld)'}`);
  for (const m of c.meetings) {
    const who = m.invitees.map((i) => i.participant.name ?? '?').join(', ');
    lines.push(`Meeting ${m.status} ${m.startsAt ?? 'not scheduled'}: ${who}`);
  }
  for (const d of c.deadlines) lines.push(`Deadline ${d.ruleCode} ${d.status} due ${d.dueAt}`);
  if (c.statusHistory === null || c.statusHistory === undefined) {
    lines.push('History: not shared with you');
  } else {
    for (const s of c.statusHistory) lines.push(`  ${s.fromStatus ?? '—'} → ${s.toStatus} ${s.changedAt}: ${s.reason}`);
  }
  lines.push(c.plan ? `Plan ${c.plan.id}` : 'No plan (or not shared)');
  if (c.viewerAccess.canManage) lines.push('[Manage case]');
  return lines;
}

/** The case page from the codegen query type: the case itself may be null. */
export function renderCasePageCodegen(data: CasePageQuery): string[] {
  const c = data.case;
  if (!c) return ['Case not found'];
  const cpr: string = c.child?.cpr ?? 'not shown';
  const family = (c.child?.familyMembers ?? []).map((f) => f.email ?? f.name);
  const history = c.statusHistory?.length ?? 0;
  const firstInvitee: string | null = c.meetings[0]?.invitees[0]?.participant.name ?? null;
  return [`${c.reference} ${cpr}`, family.join(', '), `${history} changes`, firstInvitee ?? '', c.plan?.id ?? ''];
}

export function renderAgenda(relay: UpcomingMeetingsQuery$data, codegen: UpcomingMeetingsQuery): string[] {
  const a = relay.viewer.upcomingMeetings.edges.map(
    ({ node }) => `${node.startsAt ?? 'unscheduled'} ${node.case.reference} ${node.case.child?.name ?? '[withheld]'}`,
  );
  const b = codegen.viewer.upcomingMeetings.edges.map(
    ({ node }) => `${node.startsAt ?? 'unscheduled'} ${node.case.reference} ${node.case.child?.name ?? '[withheld]'}`,
  );
  return [...a, ...b];
}

export function renderBell(relay: NotificationsQuery$data, codegen: NotificationsQuery): string {
  const unread: number = relay.viewer.unreadNotificationCount;
  const titles = codegen.viewer.notifications.nodes.map((n) => n.title);
  return `${unread} unread: ${titles.join(' | ')}`;
}
