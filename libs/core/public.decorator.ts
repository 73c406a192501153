import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'dutybook:public';

/** Opts a route out of authentication. Everything else is denied without a valid token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
