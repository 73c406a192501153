import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { CORE_ERRORS, IS_PUBLIC, type ErrorCode, type Role } from '../../../libs/core';
import { TENANCY_ERRORS } from '../../../libs/tenancy';
import type { ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ANY_ROLE, ROLES_KEY } from '../auth/roles.decorator';
import { declaredErrors } from './api-errors';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The OpenAPI document, built from the controllers' decorators. The api serves it at /docs and
 * `npm run openapi` writes it to apps/web/src/api/openapi.json, from which the console's typed
 * client is generated: one source for both.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Dutybook API')
      .setDescription("A cloud customer's side of a provider's shared-responsibility (RACI) model: duties, tasks, evidence, reviews.")
      .setVersion('1')
      .setLicense('AGPL-3.0-only', 'https://www.gnu.org/licenses/agpl-3.0.html')
      .addServer('/', 'This server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  declareTenantParameter(document);
  const handlers = handlersOf(app);
  declareSecurity(handlers, document);
  declareErrorResponses(handlers, document);
  return document;
}

export interface Handler {
  controller: object;
  handler: object;
  isPublic: boolean;
  roles: Role[] | undefined;
}

/** Every route handler by its operationId (Nest's default: `Controller_method`), with the metadata the guards read. */
export function handlersOf(app: INestApplication): Map<string, Handler> {
  const reflector = app.get(Reflector);
  const handlers = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        handlers.set(`${controller.name}_${name}`, {
          controller,
          handler,
          isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) === true,
          roles: reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler, controller]),
        });
      }
    }
  return handlers;
}

/**
 * Every operation says how it is authenticated: `security: []` for the routes marked @Public()
 * (sign-up, login, health, the public catalog...), the bearer token for every other one, read from
 * the same metadata the global guard reads, so the document cannot disagree with the guard.
 */
function declareSecurity(handlers: Map<string, Handler>, document: OpenAPIObject): void {
  for (const [, operation] of operationsOf(document)) {
    operation.security = handlers.get(operation.operationId ?? '')?.isPublic === true ? [] : [{ bearer: [] }];
  }
}

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

function* operationsOf(document: OpenAPIObject): Generator<[path: string, operation: Operation]> {
  for (const [path, item] of Object.entries(document.paths))
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) yield [path, operation];
    }
}

const ERROR_BODY = 'ErrorBody';

/**
 * The error answers of every operation: the codes declared with `@ApiErrors` (./api-errors.ts)
 * and those the guards answer, read from the metadata the guards read (401 UNAUTHENTICATED,
 * TOKEN_EXPIRED and TOKEN_CLAIMS_INVALID off @Public(); on
 * tenant routes 404 TENANT_NOT_FOUND, and 403 FORBIDDEN when @Roles leaves a role out). One
 * response per status, each with the shared body, the enum of its codes and an example of each.
 */
function declareErrorResponses(handlers: Map<string, Handler>, document: OpenAPIObject): void {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[ERROR_BODY] = {
    type: 'object',
    description: 'Every error answer (docs/errors.md lists the codes). `requestId` is also in the x-request-id header.',
    required: ['statusCode', 'code', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer', description: 'The HTTP status, repeated.', example: 404 },
      code: { type: 'string', description: 'Stable: clients branch on it.', example: 'TASK_NOT_FOUND' },
      message: { type: 'string', description: 'What to do; may change.' },
      details: { description: 'Per code: the fields at fault, the roles allowed, ...' },
      requestId: { type: 'string', description: 'Quote it when reporting a problem.' },
    },
  };
  for (const [path, operation] of operationsOf(document)) {
    const found = handlers.get(operation.operationId ?? '');
    if (!found) continue;
    const codes: ErrorCode[] = [];
    if (!found.isPublic) codes.push(CORE_ERRORS.UNAUTHENTICATED, TENANCY_ERRORS.TOKEN_EXPIRED, TENANCY_ERRORS.TOKEN_CLAIMS_INVALID);
    if (path.includes('{tenantId}')) {
      codes.push(TENANCY_ERRORS.TENANT_NOT_FOUND);
      if (!ANY_ROLE.every((role) => found.roles?.includes(role))) codes.push(CORE_ERRORS.FORBIDDEN);
    }
    codes.push(...declaredErrors(found.controller, found.handler));
    const byStatus = new Map<number, ErrorCode[]>();
    for (const entry of codes) {
      const same = byStatus.get(entry.status) ?? [];
      if (!same.some((e) => e.code === entry.code)) same.push(entry);
      byStatus.set(entry.status, same);
    }
    for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b))
      operation.responses[String(status)] = errorResponse(status, entries);
  }
}

function errorResponse(status: number, entries: ErrorCode[]): ResponseObject {
  return {
    description: entries.map((e) => `\`${e.code}\`: ${e.meaning}`).join('\n\n'),
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: `#/components/schemas/${ERROR_BODY}` },
            {
              type: 'object',
              properties: { statusCode: { type: 'integer', enum: [status] }, code: { type: 'string', enum: entries.map((e) => e.code) } },
            },
          ],
        },
        examples: Object.fromEntries(
          entries.map((e) => [
            e.code,
            {
              summary: e.code,
              value: { statusCode: status, code: e.code, message: e.meaning, requestId: '3f2a9c1e-7b4d-4e0a-9d6f-2c8b1a5e7f30' },
            },
          ]),
        ),
      },
    },
  };
}

/**
 * `{tenantId}` is read by the tenant guard (membership and role), not by the handlers, so Nest's
 * scanner never sees it: declared here for every operation whose path has it.
 */
function declareTenantParameter(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.includes('{tenantId}')) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters: (ParameterObject | ReferenceObject)[] = operation.parameters ?? [];
      if (parameters.some((p) => 'name' in p && p.name === 'tenantId' && p.in === 'path')) continue;
      operation.parameters = [
        {
          name: 'tenantId',
          in: 'path',
          required: true,
          description: 'A tenant the caller is a member of (any other answers 404, the same as one that does not exist).',
          schema: { type: 'string', format: 'uuid' },
        },
        ...parameters,
      ];
    }
  }
}
