import type { ErrorCode } from '../../../libs/core';

/** Where `@ApiErrors` keeps the codes of a handler or a controller (read by the document builder). */
export const API_ERRORS_KEY = 'dutybook:api-errors';

/**
 * Declares the error answers of an operation (on a handler) or of every operation of a controller
 * (on the class), by their entries in the error tables, so the status in the document is the one
 * the API answers with:
 *
 * ```ts
 * @Patch(':taskId')
 * @ApiErrors(CORE_ERRORS.VALIDATION_FAILED, CORE_ERRORS.NOTHING_TO_CHANGE, TASKS_ERRORS.TASK_NOT_FOUND)
 * ```
 *
 * Declare what the handler and the services it calls throw (and VALIDATION_FAILED when it takes a
 * body, a query or a path parameter checked by a DTO). What the guards answer is added by the
 * document builder from the same metadata the guards read (`apps/api/openapi/document.ts`): 401
 * UNAUTHENTICATED, TOKEN_EXPIRED and TOKEN_CLAIMS_INVALID on every route not marked @Public(), and on tenant routes 404 TENANT_NOT_FOUND
 * and, when @Roles leaves a role out, 403 FORBIDDEN. Several calls (class and method) add up.
 *
 * The builder then writes one response per status, with the shared error body (`ErrorBody`), the
 * `code` enum of the codes possible there and an example of each.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder = (descriptor?.value ?? target) as object;
    const existing = (Reflect.getMetadata(API_ERRORS_KEY, holder) as ErrorCode[] | undefined) ?? [];
    Reflect.defineMetadata(API_ERRORS_KEY, [...existing, ...codes], holder);
  };
}

/** The codes declared with `@ApiErrors` on a handler and on its controller, without duplicates. */
export function declaredErrors(controller: object, handler: object): ErrorCode[] {
  const all = [
    ...((Reflect.getMetadata(API_ERRORS_KEY, controller) as ErrorCode[] | undefined) ?? []),
    ...((Reflect.getMetadata(API_ERRORS_KEY, handler) as ErrorCode[] | undefined) ?? []),
  ];
  return [...new Map(all.map((e) => [e.code, e])).values()];
}

/** True when a handler (or its controller) says anything with `@ApiErrors` (checked by a test). */
export function hasDeclaredErrors(controller: object, handler: object): boolean {
  return Reflect.hasMetadata(API_ERRORS_KEY, controller) || Reflect.hasMetadata(API_ERRORS_KEY, handler);
}
