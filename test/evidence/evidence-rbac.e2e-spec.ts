/**
 * Role matrix of the evidence endpoints: every endpoint x every kind of caller. Allowed calls are
 * checked for their effect, refused ones for its absence (no row, no file, task unchanged).
 */
import type { LightMyRequestResponse } from 'fastify';
import type { EvidenceView } from '../../libs/evidence';
import { addMember, caller, signup, type Account, type Caller } from '../harness/api';
import { bootTestApp, type TestApp } from '../harness/app';
import { SAMPLES } from './files';
import { createTask, evidenceRows, evidenceTenant, multipartBody, multipartHeaders, storedFiles, taskRow } from './setup';

type Who = 'admin' | 'member' | 'auditor' | 'viewer' | 'nonMember' | 'expired' | 'noToken';
const WHO: readonly Who[] = ['admin', 'member', 'auditor', 'viewer', 'nonMember', 'expired', 'noToken'];
type Status = 200 | 201 | 401 | 403 | 404;
type Row = { readonly endpoint: string } & Readonly<Record<Who, Status>>;

/** `expired` is an admin whose membership ended a minute ago: exactly like a non-member. */
const MATRIX = [
  // endpoint                                                                 admin        member        auditor        viewer        nonMember        expired        noToken
  {
    endpoint: 'POST /tenants/:tenantId/tasks/:taskId/evidence (file)',
    admin: 201,
    member: 201,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'POST /tenants/:tenantId/tasks/:taskId/evidence (link)',
    admin: 201,
    member: 201,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'POST /tenants/:tenantId/tasks/:taskId/evidence (note)',
    admin: 201,
    member: 201,
    auditor: 403,
    viewer: 403,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET  /tenants/:tenantId/evidence/:evidenceId',
    admin: 200,
    member: 200,
    auditor: 200,
    viewer: 200,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
  {
    endpoint: 'GET  /tenants/:tenantId/evidence/:evidenceId/content',
    admin: 200,
    member: 200,
    auditor: 200,
    viewer: 200,
    nonMember: 404,
    expired: 404,
    noToken: 401,
  },
] as const satisfies readonly Row[];

const CODE_OF: Readonly<Record<number, string>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'TENANT_NOT_FOUND' };

let t: TestApp;
let call: Caller;
let tenantId: string;
let actors: Record<Exclude<Who, 'noToken'>, Account>;
/** A file evidence every reader may fetch. */
let fileEvidence: EvidenceView;

beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h' });
  call = caller(t.app);
  const who = await evidenceTenant(t);
  const expired = await signup(t.app);
  await addMember(t.db.adminUrl, who.admin.tenantId, expired.userId, 'admin', new Date(Date.now() - 60_000));
  actors = { admin: who.admin, member: who.member, auditor: who.auditor, viewer: who.viewer, nonMember: who.outsider, expired };
  tenantId = who.admin.tenantId;
  const taskId = await createTask(t, tenantId, who.admin.userId);
  const res = await call({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/tasks/${taskId}/evidence`,
    token: who.admin.accessToken,
    headers: multipartHeaders(),
    payload: multipartBody([{ name: 'file', filename: 'shared.pdf', content: SAMPLES.pdf }]),
  });
  fileEvidence = res.json<EvidenceView>();
});
afterAll(async () => t.close());

const tokenOf = (who: Who): string | undefined => (who === 'noToken' ? undefined : actors[who].accessToken);

interface Prepared {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly payload?: Buffer | Record<string, unknown>;
  verify(res: LightMyRequestResponse, allowed: boolean): Promise<void>;
}

/** A fresh task per call, so each cell's effect (or its absence) is its own. */
async function addScenario(
  who: Who,
  body: { headers?: Record<string, string>; payload: Buffer | Record<string, unknown> },
  kind: string,
): Promise<Prepared> {
  const taskId = await createTask(t, tenantId, actors.admin.userId);
  const filesBefore = storedFiles(t).length;
  return {
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/tasks/${taskId}/evidence`,
    ...body,
    async verify(res, allowed) {
      const rows = await evidenceRows(t, { taskId });
      if (allowed) {
        expect(res.json<EvidenceView>()).toEqual(
          expect.objectContaining({ taskId, kind, submittedBy: actors[who as Exclude<Who, 'noToken'>].userId }),
        );
        expect(rows).toHaveLength(1);
        expect(await taskRow(t, taskId)).toEqual({ status: 'in_progress', evidence_count: 1 });
        expect(storedFiles(t).length).toBe(filesBefore + (kind === 'file' ? 1 : 0));
      } else {
        expect(rows).toEqual([]);
        expect(await taskRow(t, taskId)).toEqual({ status: 'todo', evidence_count: 0 });
        expect(storedFiles(t).length).toBe(filesBefore);
      }
    },
  };
}

const SCENARIOS: Record<(typeof MATRIX)[number]['endpoint'], (who: Who) => Promise<Prepared>> = {
  'POST /tenants/:tenantId/tasks/:taskId/evidence (file)': (who) =>
    addScenario(
      who,
      {
        headers: multipartHeaders(),
        payload: multipartBody([
          { name: 'file', filename: 'a.pdf', content: SAMPLES.pdf },
          { name: 'description', value: who },
        ]),
      },
      'file',
    ),
  'POST /tenants/:tenantId/tasks/:taskId/evidence (link)': (who) =>
    addScenario(who, { payload: { kind: 'link', url: 'https://example.com/evidence' } }, 'link'),
  'POST /tenants/:tenantId/tasks/:taskId/evidence (note)': (who) =>
    addScenario(who, { payload: { kind: 'note', text: `note by ${who}` } }, 'note'),
  'GET  /tenants/:tenantId/evidence/:evidenceId': () =>
    Promise.resolve({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/evidence/${fileEvidence.id}`,
      verify(res, allowed) {
        if (allowed) expect(res.json()).toEqual(fileEvidence);
        return Promise.resolve();
      },
    }),
  'GET  /tenants/:tenantId/evidence/:evidenceId/content': () =>
    Promise.resolve({
      method: 'GET',
      url: `/api/v1/tenants/${tenantId}/evidence/${fileEvidence.id}/content`,
      verify(res, allowed) {
        if (allowed) expect(res.rawPayload.equals(SAMPLES.pdf)).toBe(true);
        else expect(res.headers['content-disposition']).toBeUndefined();
        return Promise.resolve();
      },
    }),
};

describe.each(MATRIX.map((row) => [row.endpoint, row] as const))('%s', (endpoint, row) => {
  it.each(WHO.map((who) => [who, row[who]] as const))('%s -> %i', async (who, status) => {
    const prepared = await SCENARIOS[endpoint](who);
    const token = tokenOf(who);
    const res = await call({
      method: prepared.method,
      url: prepared.url,
      ...(token ? { token } : {}),
      ...(prepared.headers ? { headers: prepared.headers } : {}),
      ...(prepared.payload ? { payload: prepared.payload } : {}),
    });
    expect(res.statusCode).toBe(status);
    const allowed = status < 300;
    if (!allowed) expect(res.json().code).toBe(CODE_OF[status]);
    await prepared.verify(res, allowed);
  });
});
