import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_TABLES } from '../../apps/api/http/error-catalogue';
import { hasDeclaredErrors } from '../../apps/api/openapi/api-errors';
import type { Handler } from '../../apps/api/openapi/document';
import { previewOpenApiDocument } from '../../apps/api/openapi/preview';

// Every operation of the API documents itself: a summary, an operationId, its error answers
// (declared with @ApiErrors, see docs/console.md "Adding an endpoint"), so a route added without
// them fails here by name rather than in `redocly lint` as a count.

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Found {
  name: string;
  operation: NonNullable<OpenAPIObject['paths'][string]['get']>;
}

let document: OpenAPIObject;
let handlers: Map<string, Handler>;
let operations: Found[];

beforeAll(async () => {
  ({ document, handlers } = await previewOpenApiDocument());
  operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ name: `${method.toUpperCase()} ${path}`, operation }] : [];
    }),
  );
});

const missing = (test: (found: Found) => boolean): string[] => operations.filter((found) => !test(found)).map((found) => found.name);

describe('OpenAPI operations', () => {
  it('finds the API (more than a handful of operations)', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('each has a summary', () => {
    expect(missing(({ operation }) => typeof operation.summary === 'string' && operation.summary.trim().length > 0)).toEqual([]);
  });

  it('each has a unique operationId', () => {
    expect(missing(({ operation }) => typeof operation.operationId === 'string' && operation.operationId.length > 0)).toEqual([]);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('each declares its error answers with @ApiErrors (on the handler or its controller)', () => {
    expect(
      missing(({ operation }) => {
        const handler = handlers.get(operation.operationId ?? '');
        return handler !== undefined && hasDeclaredErrors(handler.controller, handler.handler);
      }),
    ).toEqual([]);
  });

  it('each has at least one 4xx answer', () => {
    expect(missing(({ operation }) => Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)))).toEqual([]);
  });

  it('each authenticated one answers 401 UNAUTHENTICATED', () => {
    const codesAt = (found: Found, status: string): unknown =>
      (found.operation.responses[status] as { content?: Record<string, { examples?: Record<string, unknown> }> } | undefined)?.content?.[
        'application/json'
      ]?.examples;
    expect(
      operations
        .filter(({ operation }) => operation.security?.length !== 0)
        .filter((found) => !Object.keys((codesAt(found, '401') as Record<string, unknown> | undefined) ?? {}).includes('UNAUTHENTICATED'))
        .map(({ name }) => name),
    ).toEqual([]);
  });

  it('answers each error code with the status of its error table, in the shared error body', () => {
    const statusOf = new Map(ERROR_TABLES.flatMap((table) => Object.values(table).map((e) => [e.code, e.status] as const)));
    const wrong: string[] = [];
    for (const { name, operation } of operations)
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const media = (response as { content?: Record<string, { schema?: { allOf?: { $ref?: string }[] }; examples?: object }> }).content?.[
          'application/json'
        ];
        // 5xx answers of the health probes are their own bodies; every 4xx is an error body.
        if (status.startsWith('4') && media?.schema?.allOf?.[0]?.$ref !== '#/components/schemas/ErrorBody')
          wrong.push(`${name} ${status}: not the ErrorBody schema`);
        for (const code of Object.keys(media?.examples ?? {}))
          if (statusOf.get(code) !== Number(status)) wrong.push(`${name}: ${code} under ${status}, declared ${String(statusOf.get(code))}`);
      }
    expect(wrong).toEqual([]);
  });
});
