import type { AuthUser, RequestWithCaller } from './caller';

/**
 * How the policy guard learns who is calling. Provided by the auth module
 * (passport-jwt), so that access/ depends on no feature module.
 */
export interface Authenticator {
  /** The user behind the request's bearer token; throws 401 when it is missing, invalid or revoked. */
  authenticateBearer(request: RequestWithCaller): Promise<AuthUser>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
