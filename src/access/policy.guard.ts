import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { forbidden } from '../common/problem';
import { type AuthUser, callerOf, type RequestWithCaller } from './caller';
import { REQUIRED_PERMISSION } from './permission.decorator';
import { type Permission, roleGrants } from './permissions';
import { IS_PUBLIC } from './public.decorator';

/** Passport's JWT strategy (registered by the auth module under the name `jwt`). */
const JwtPassportGuard = AuthGuard('jwt');

/**
 * The first of the two authorization layers, applied to every route. It
 * fails closed: a route that declares neither `@Public()` nor
 * `@Permission(...)` is refused to everyone, whatever the caller holds.
 * The second layer — is this record inside the caller's scope — is the
 * service's job (AccessService).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly jwt = new JwtPassportGuard();

  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
    const anyOf = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSION, targets);
    const request = context.switchToHttp().getRequest<RequestWithCaller>();

    if (isPublic) {
      // Public routes still recognise a logged-in caller (members see more),
      // but a bad token there just means "anonymous".
      if (typeof request.headers.authorization === 'string') {
        try {
          await this.jwt.canActivate(context);
        } catch {
          request.user = undefined;
        }
      }
      callerOf(request);
      return true;
    }
    if (!anyOf?.length) throw forbidden('This route declares no access policy, so nobody may use it.');

    await this.jwt.canActivate(context); // 401 when missing, expired, forged or revoked
    const user = request.user as AuthUser;
    if (anyOf.includes('self') || user.isPlatformAdmin || user.roles.some((r) => anyOf.some((p) => roleGrants(r.role, p)))) {
      callerOf(request);
      return true;
    }
    throw forbidden(`This needs the ${anyOf.join(' or ')} permission.`);
  }
}
