import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'convoca:public';

/**
 * The only opt-out from authentication. Every route states either this or a
 * `@Permission(...)`; the global guard denies a route that states neither.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
