import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../../libs/core';

export const ROLES_KEY = 'dutybook:roles';

/** The roles allowed on a tenant route. A tenant route without it is refused (deny by default). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export const ANY_ROLE: Role[] = ['admin', 'member', 'auditor', 'viewer'];
