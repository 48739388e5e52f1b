import { Injectable } from '@nestjs/common';

import type { RoleAssignmentView } from '../access/access.views';
import type { AuthUser, Caller } from '../access/caller';
import { RolesService } from '../access/roles.service';
import { unauthorized } from '../common/problem';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { RateLimitService, type Limit } from '../rate-limit/rate-limit.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { userView, type LinkedMember, type UserView } from '../users/users.views';
import type { TokenPair } from './auth.views';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords';
import { TokensService } from './tokens.service';

/** Failed logins allowed per window, per account and per client address. */
export const LOGIN_LIMITS = { perAccount: 10, perIp: 50, windowSeconds: 15 * 60 };
export const REFRESH_LIMIT = { perIp: 120, windowSeconds: 60 };

const WRONG_CREDENTIALS = 'Wrong e-mail or password.';

/** The counter of an account's failed logins (and wrong current passwords), whatever the letter case the e-mail was typed in. */
export const loginFailAccountKey = (email: string) => `login-fail:account:${email.toLowerCase()}`;

/** The failed-password budgets of an address and of a client address: login and every other check of a login's password. */
export const loginLimits = (email: string, ip: string): Limit[] => [
  { key: loginFailAccountKey(email), max: LOGIN_LIMITS.perAccount, windowSeconds: LOGIN_LIMITS.windowSeconds },
  { key: `login-fail:ip:${ip}`, max: LOGIN_LIMITS.perIp, windowSeconds: LOGIN_LIMITS.windowSeconds },
];

@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly tokens: TokensService,
    private readonly limiter: RateLimitService,
    private readonly changes: DomainEvents,
  ) {}

  /**
   * Checks a password. Unknown e-mail, wrong password and disabled account
   * get the same answer after the same amount of work, so neither the
   * message nor the timing tells whether an account exists.
   */
  async verifyLogin(email: string, password: string, ip: string): Promise<User> {
    const limits = loginLimits(email, ip);
    await this.limiter.check(...limits);
    const user = await this.users.findForLogin(email);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
    if (!user || !ok || user.disabledAt) {
      await this.limiter.record(...limits);
      throw unauthorized(WRONG_CREDENTIALS);
    }
    if (needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(this.transactions.auto, user.id, await hashPassword(password));
    }
    return user;
  }

  async login(user: User): Promise<TokenPair> {
    await this.users.recordLogin(user.id);
    return this.tokens.startSession(user.id);
  }

  /** Log in on a page: the same check, limits and record as the API's login; the session lives in a cookie. */
  async loginBrowser(email: string, password: string, ip: string): Promise<string> {
    const user = await this.verifyLogin(email, password, ip);
    await this.users.recordLogin(user.id);
    return this.tokens.startBrowserSession(user.id);
  }

  browserSessionUser(cookie: string): Promise<AuthUser | null> {
    return this.tokens.browserSessionUser(cookie);
  }

  /** Log out on a page: the cookie's session ends. */
  async logoutBrowser(user: AuthUser): Promise<void> {
    await this.tokens.revokeSession(user.id, user.sessionId, 'logout');
  }

  async refresh(refreshToken: string, ip: string): Promise<TokenPair> {
    await this.limiter.consume({ key: `refresh:ip:${ip}`, max: REFRESH_LIMIT.perIp, windowSeconds: REFRESH_LIMIT.windowSeconds });
    return this.tokens.rotate(refreshToken);
  }

  async logout(caller: Caller, refreshToken: string): Promise<void> {
    const user = caller.user!;
    await this.tokens.revokeByRefreshToken(refreshToken, user.id);
    // The access token presented names its session too: close it even if
    // the refresh token given was already gone.
    await this.tokens.revokeSession(user.id, user.sessionId, 'logout');
  }

  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<void> {
    const authUser = caller.user!;
    const limits = loginLimits(authUser.email, caller.ip);
    await this.limiter.check(...limits);
    const user = await this.users.findWithHash(authUser.id);
    if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.limiter.record(...limits);
      throw unauthorized('The current password is wrong.');
    }
    const passwordHash = await hashPassword(newPassword);
    await this.transactions.run(async (tx) => {
      await this.users.setPasswordHash(tx, user.id, passwordHash);
      // Whoever else holds a session for this account loses it.
      await this.tokens.revokeAllSessions(tx, user.id, 'password-change', authUser.sessionId);
      await this.changes.publish(tx, caller, { action: 'user.password_change', entity: 'user', entityId: user.id, changes: { password: { from: '[secret]', to: '[secret]' } } });
    });
  }

  /** The user behind a verified access token, or null when it must not be honoured. */
  loadAuthUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    // One round trip for every authenticated request: the user, the session and the roles.
    return this.tokens.loadAuthUser(userId, sessionId);
  }

  /** The login, every member record linked to it (one per data controller at most) and its roles. */
  async me(caller: Caller): Promise<{ user: UserView; members: LinkedMember[]; roles: RoleAssignmentView[] }> {
    const user = await this.users.findById(caller.user!.id);
    if (!user) throw unauthorized();
    const members = await this.users.linkedMembers(user.id);
    return { user: userView(user), members, roles: await this.roles.listForUser(caller, user.id) };
  }
}
