import { createSecretKey } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { Strategy as LocalStrategy } from 'passport-local';

import { presentedApiToken } from '../access/api-token';
import type { Authenticator } from '../access/authenticator';
import type { AuthUser, RequestWithCaller } from '../access/caller';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { UUID_PATTERN } from '../common/dto-fields';
import { unauthorized } from '../common/problem';
import { flattenValidationErrors, validationProblem } from '../common/validation';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { User } from '../users/user.entity';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/auth.dto';
import { JWT_AUDIENCE, JWT_ISSUER } from './tokens.service';

type Done = (err: unknown, user?: unknown) => void;

/**
 * Passport strategies on a Passport instance of this application's own:
 * passport's default singleton is shared by every Nest application in the
 * process, so a second application (tests, a worker) would silently answer
 * for the first one with its own database connection.
 */
@Injectable()
export class PassportAuthenticator implements Authenticator {
  private readonly passport = new Passport();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    auth: AuthService,
    private readonly apiTokens: ApiTokensService,
  ) {
    const key = createSecretKey(Buffer.from(config.jwtSecret));
    // Bearer access tokens: only HS256 with our secret, audience and issuer
    // (so `alg: none` and foreign tokens fail). The user and session are
    // re-read on every request, so a revoked session or a disabled user stops
    // working at once, not when the token expires.
    this.passport.use(
      'jwt',
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          // A KeyObject made once: given the secret as a string, jsonwebtoken first tries it as a public key, and that
          // failing parse (a thrown error) on every request was a twentieth of an authenticated request's time.
          secretOrKeyProvider: (_request: unknown, _token: unknown, done: (err: null, key: Buffer) => void) => done(null, key as unknown as Buffer),
          algorithms: ['HS256'],
          audience: JWT_AUDIENCE,
          issuer: JWT_ISSUER,
        },
        (payload: { sub?: unknown; sid?: unknown }, done: Done) => {
          if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !UUID_PATTERN.test(payload.sub) || !UUID_PATTERN.test(payload.sid)) return done(null, false);
          auth.loadAuthUser(payload.sub, payload.sid).then((user) => done(null, user ?? false), done);
        },
      ),
    );
    // E-mail + password, checked by AuthService (rate limits, same answer and work for unknown e-mails).
    this.passport.use(
      'local',
      new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true }, (req, email, password, done) => {
        // passport types the request as Express's; under Fastify it is a FastifyRequest.
        const ip = (req as unknown as FastifyRequest).ip;
        auth.verifyLogin(email, password, ip).then((user) => done(null, user), done);
      }),
    );
  }

  private run<T>(strategy: 'jwt' | 'local', request: FastifyRequest): Promise<T | false> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(strategy, { session: false }, (err: unknown, user: T | false) => (err ? reject(err instanceof Error ? err : unauthorized()) : resolve(user))) as (
        req: unknown,
        res: unknown,
        next: (err?: unknown) => void,
      ) => void;
      middleware(request, {}, (err) => reject(err instanceof Error ? err : unauthorized()));
    });
  }

  async authenticateBearer(request: RequestWithCaller): Promise<AuthUser> {
    if (typeof request.headers.authorization !== 'string') throw unauthorized();
    // An API token (issue 22) is told from a JWT by its prefix, and is never given to passport-jwt.
    const apiToken = presentedApiToken(request.headers.authorization);
    if (apiToken !== null) {
      const tokenUser = await this.apiTokens.authenticate(apiToken);
      if (!tokenUser) throw unauthorized('The API token is invalid, expired or revoked.');
      return tokenUser;
    }
    const user = await this.run<AuthUser>('jwt', request);
    if (!user) throw unauthorized('The access token is invalid, expired or revoked; log in again.');
    return user;
  }

  async authenticatePassword(request: FastifyRequest): Promise<User> {
    const user = await this.run<User>('local', request);
    if (!user) throw unauthorized('Wrong e-mail or password.');
    return user;
  }
}

/**
 * Login. Guards run before pipes, so the body is validated here: bad input
 * is a 400, not a 401. The checked user is left on `request.user`.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(private readonly authenticator: PassportAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();
    const body: unknown = request.body;
    const dto = plainToInstance(LoginDto, typeof body === 'object' && body !== null ? body : {});
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw validationProblem(flattenValidationErrors(errors));
    request.user = await this.authenticator.authenticatePassword(request);
    return true;
  }
}
