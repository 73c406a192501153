import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { IS_PUBLIC } from '../../../libs/core';
import type { ParameterObject, ReferenceObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

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
  declareSecurity(app, document);
  return document;
}

/**
 * Every operation says how it is authenticated: `security: []` for the routes marked @Public()
 * (sign-up, login, health, the public catalog...), the bearer token for every other one, read from
 * the same metadata the global guard reads, so the document cannot disagree with the guard.
 */
function declareSecurity(app: INestApplication, document: OpenAPIObject): void {
  const reflector = app.get(Reflector);
  const publicOperations = new Set<string>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]))
          publicOperations.add(`${controller.name}_${name}`);
      }
    }
  for (const item of Object.values(document.paths))
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.security = publicOperations.has(operation.operationId ?? '') ? [] : [{ bearer: [] }];
    }
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
